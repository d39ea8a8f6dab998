"""Questions in plain words, with or without diacritics, any case, small typos."""

import pytest

from bot.nlu import intent_of

PHRASINGS = [
    ("hạng của tôi?", "rank"),
    ("xep hang", "rank"),
    ("XẾP HẠNG", "rank"),
    ("xep hnag", "rank"),
    ("Đơn vị mình đứng thứ mấy", "rank"),
    ("chỉ số nào yếu nhất", "weakest"),
    ("yeu nhat", "weakest"),
    ("chi so yeu", "weakest"),
    ("mất điểm ở đâu", "weakest"),
    ("tiến độ", "progress"),
    ("tien do", "progress"),
    ("Tiến độ thế nào?", "progress"),
    ("tien đô", "progress"),
    ("bao giờ hết hạn", "deadline"),
    ("bao gio het han", "deadline"),
    ("hạn chót", "deadline"),
    ("khi nào hết hạn vậy", "deadline"),
    ("con bao nhieu ngay", "deadline"),
    ("tổng quan", "overview"),
    ("tong quna", "overview"),
    ("hướng dẫn", "help"),
    ("tiếp tục", "assess"),
    ("cảm ơn", None),
    ("xin chào", None),
    ("12,5", None),
    ("45/50", None),
    ("có", None),
    ("không", None),
    ("Sở Nội vụ", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "intent"), PHRASINGS, ids=[p[0] or "empty" for p in PHRASINGS])
def test_a_question_typed_in_plain_words_is_understood(text, intent):
    assert intent_of(text) == intent
