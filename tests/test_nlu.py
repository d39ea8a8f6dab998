"""Questions in plain words, with or without diacritics, any case, small typos — and what must never
be taken for a question (an answer typed on an item: a number, a link, a cited document; thanks)."""

import pytest

from bot.nlu import PHRASES, Question, fold, intent_of, item_code_in, understand

PHRASINGS = [
    # rank
    ("hạng của tôi?", "rank"),
    ("xep hang", "rank"),
    ("XẾP HẠNG", "rank"),
    ("xep hnag", "rank"),
    ("xếp hạg", "rank"),
    ("Đơn vị mình đứng thứ mấy", "rank"),
    ("dung thu may vay", "rank"),
    ("hạng mấy rồi?", "rank"),
    ("hạng?", "rank"),
    ("thứ hạng của đơn vị", "rank"),
    # weakest
    ("chỉ số nào yếu nhất", "weakest"),
    ("yeu nhat", "weakest"),
    ("chi so yeu", "weakest"),
    ("mất điểm ở đâu", "weakest"),
    ("cần cải thiện chỉ số nào", "weakest"),
    ("chỉ số nào thấp nhất", "weakest"),
    ("yeu nhaat", "weakest"),
    # overview
    ("tổng quan", "overview"),
    ("tong quna", "overview"),
    ("Tình hình chung thế nào", "overview"),
    ("kết quả", "overview"),
    ("xem ket qua", "overview"),
    # charts
    ("biểu đồ", "charts"),
    ("bieu do", "charts"),
    ("cho xem biểu đồ", "charts"),
    ("bỉu đồ", "charts"),
    ("BIEU DO DIEM", "charts"),
    ("đồ thị", "charts"),
    # compared with last year
    ("so với năm ngoái", "compare"),
    ("so voi nam ngoai", "compare"),
    ("so vs năm ngoái thì sao", "compare"),
    ("xếp hạng so với năm ngoái", "compare"),
    ("so với năm trước tăng hay giảm", "compare"),
    ("so sánh", "compare"),
    ("nam ngaoi", "compare"),
    # who leads
    ("đơn vị nào dẫn đầu", "top"),
    ("don vi nao dan dau", "top"),
    ("ai đứng đầu khối", "top"),
    ("đơn vị nào dẫn dầu vậy", "top"),
    ("điểm cao nhất là ai", "top"),
    # my points
    ("điểm của mình bao nhiêu", "points"),
    ("diem cua minh bao nhieu", "points"),
    ("được bao nhiêu điểm rồi", "points"),
    ("tổng điểm", "points"),
    ("điểm?", "points"),
    ("diem cua toi", "points"),
    # deadline
    ("bao giờ hết hạn", "deadline"),
    ("bao gio het han", "deadline"),
    ("hạn chót", "deadline"),
    ("khi nào hết hạn vậy", "deadline"),
    ("con bao nhieu ngay", "deadline"),
    ("con bao nhiu ngay", "deadline"),
    ("hạn nộp là ngày nào", "deadline"),
    ("Deadline?", "deadline"),
    # progress
    ("tiến độ", "progress"),
    ("tien do", "progress"),
    ("Tiến độ thế nào?", "progress"),
    ("tien đô", "progress"),
    ("tiến đọ", "progress"),
    ("đơn vị nào chậm", "progress"),
    ("còn thiếu gì", "progress"),
    # help and continuing
    ("hướng dẫn", "help"),
    ("huong dan su dung", "help"),
    ("trợ giúp", "help"),
    ("tôi phải làm gì", "help"),
    ("tiếp tục", "assess"),
    ("lam tiep", "assess"),
    ("tự đánh giá", "assess"),
    # what-if without an item: the weakest items and their what-if
    ("đạt tối đa thì sao", "what_if"),
    # never a question
    ("cảm ơn", None),
    ("cam on ban", None),
    ("xin chào", None),
    ("ok", None),
    ("vâng", None),
    ("12,5", None),
    ("1.234", None),
    ("1.234.567", None),
    ("45/50", None),
    ("12 người", None),
    ("6.2", None),
    ("100%", None),
    ("１２", None),
    ("https://dongthap.gov.vn/ke-hoach-chuyen-doi-so", None),
    ("www.snv.dongthap.gov.vn", None),
    ("Quyết định số 12/QĐ-UBND ngày 12/3/2026 về kế hoạch chuyển đổi số năm 2026", None),
    ("Kế hoạch 45/KH-SNV ngày 01/02/2026", None),
    ("có", None),
    ("không", None),
    ("Sở Nội vụ", None),
    ("yêu cầu bổ sung", None),
    ("hàng chờ", None),
    ("nếu", None),
    ("🙂", None),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("text", "intent"), PHRASINGS, ids=[p[0] or "empty" for p in PHRASINGS])
def test_a_question_typed_in_plain_words_is_understood(text, intent):
    assert intent_of(text) == intent


WHAT_IFS = [
    ("nếu 6.2 đạt tối đa thì sao", "6.2"),
    ("neu 6.2 dat toi da thi sao", "6.2"),
    ("Nếu 6,2 đạt tối đa?", "6.2"),
    ("nêu 6.2 đat tôi đa thi sao", "6.2"),
    ("giả sử 5.1 đủ điểm thì hạng mấy", "5.1"),
    ("chỉ số 3.4 đạt tối đa", "3.4"),
    ("nếu chỉ số 1.1.2 đạt max", "1.1.2"),
]


@pytest.mark.parametrize(("text", "item"), WHAT_IFS, ids=[p[0] for p in WHAT_IFS])
def test_a_what_if_on_an_item_names_the_item(text, item):
    assert understand(text) == Question("what_if", item)


def test_the_table_holds_at_least_sixty_phrasings_with_typos_and_without_diacritics():
    questions = [text for text, intent in PHRASINGS if intent] + [text for text, _item in WHAT_IFS]
    assert len(questions) >= 60
    assert sum(1 for text in questions if text == fold(text)) >= 15  # typed without diacritics
    assert {intent for _text, intent in PHRASINGS if intent} | {"what_if"} == set(PHRASES)


def test_an_item_code_is_read_with_a_dot_or_a_comma_but_a_date_or_a_thousands_group_is_not_one():
    assert item_code_in("nếu 6,2 đạt tối đa") == "6.2"
    assert item_code_in("ngày 12/3/2026") is None
    assert item_code_in("1.234.567") is None


def test_folding_drops_diacritics_case_and_punctuation():
    assert fold("  Đơn VỊ nào DẪN đầu?! ") == "don vi nao dan dau"


def test_a_long_text_is_an_answer_not_a_question():
    assert intent_of("xếp hạng " + "rất " * 20) is None
