"""The self-assessment card on a 360 px phone (issue 14.3): a one-line header only on the first card,
the "illustrative" note once and short, no repeated lines; the evidence it asks for names only the
kinds the item takes; a framework's label reads naturally mid-sentence; an ambiguous number is asked
on the card itself, with a one-line receipt. The demo period has a short title."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.render.assessment.cards import item_screen, list_screen, mid_sentence, receipt_text, summary_screen
from bot.services.access import load_actor
from bot.services.assessment import flow as assessment
from bot.services.assessment.views import ItemView
from storage.models import Period
from storage.types import utcnow
from tests.services.helpers import demo_campaign

FOCAL = 700001  # the demo's focal point of Sở Nội vụ
OLD_TITLE = "Bộ chỉ số chuyển đổi số mẫu (bản chạy thử)"


@pytest.fixture
async def lan(db, store):
    await demo_campaign(db, store, today=date(2026, 11, 22), now=utcnow())
    actor = await load_actor(db, FOCAL)
    first = await assessment.open_current(db, actor, now=utcnow())
    assert isinstance(first, ItemView)
    return actor, first


def buttons(view: ItemView) -> list[str]:
    return [b.text for row in item_screen(view).rows for b in row]


async def test_the_demo_period_has_a_short_natural_title(db, lan):
    _actor, first = lan
    async with db.session() as session:
        period = await session.get(Period, first.ref.period_id)
    assert period.title == "Chỉ số chuyển đổi số năm 2026 (mẫu)"


async def test_the_first_card_opens_with_a_one_line_header_and_a_short_illustrative_note_once(db, lan):
    actor, first = lan
    text = item_screen(first).text
    lines = text.split("\n")
    assert first.intro and lines[0] == "<b>DTI 2026 · Sở Nội vụ</b>"  # the period's short name, the unit
    assert lines[1] == "<i>Chỉ số minh họa, chưa chính thức.</i>"
    assert OLD_TITLE not in text and "Chỉ số chuyển đổi số năm 2026" not in text
    assert len([line for line in lines if line]) == len({line for line in lines if line})  # nothing said twice
    assert text.count("tài liệu kiểm chứng") + text.count("Tài liệu kiểm chứng") == 1
    assert "Chọn câu trả lời" not in text  # 1.1's answers are its buttons, right below the question
    assert len([row for row in item_screen(first).rows if row]) <= 5  # three answers, the moves, list/pause

    following = await assessment.navigate(
        db, actor, first.ref.unit_id, first.ref.period_id, "1.1", "skip", now=utcnow()
    )
    later = item_screen(following).text
    assert "DTI 2026" not in later and "minh họa" not in later  # the header and the note: once


async def test_the_list_and_the_summary_name_the_period_short_with_its_deadline(db, lan):
    actor, first = lan
    ref = first.ref
    shown = list_screen(await assessment.item_list(db, actor, ref.unit_id, ref.period_id, now=utcnow())).text
    summary = summary_screen(await assessment.summary(db, actor, ref.unit_id, ref.period_id, now=utcnow())).text
    for text in (shown, summary):
        assert text.startswith("<b>DTI 2026 · Sở Nội vụ</b> · hạn chót 29/11/2026")
        assert OLD_TITLE not in text


@pytest.mark.parametrize(
    ("code", "says", "never"),
    [
        ("3.3", "Gửi ảnh tại đây.", ("tệp", "đường dẫn", "trích dẫn")),  # a photo only
        ("1.1", "Gửi tệp hoặc trích dẫn văn bản tại đây.", ("ảnh", "đường dẫn")),
        ("1.3", "Gửi ảnh hoặc dán đường dẫn tại đây.", ("tệp", "trích dẫn")),
    ],
)
async def test_the_card_asks_only_for_the_evidence_kinds_its_item_takes(db, lan, code, says, never):
    actor, first = lan
    ref = first.ref
    view = await assessment.open_item(db, actor, ref.unit_id, ref.period_id, code, now=utcnow())
    evidence_line = next(line for line in item_screen(view).text.split("\n") if line.startswith("📎"))
    assert evidence_line.endswith(says)
    instruction = evidence_line.rsplit(". ", 1)[1]
    assert not any(word in instruction for word in never), instruction


async def test_the_evidence_step_names_only_what_the_item_takes(db, lan):
    actor, first = lan
    ref = first.ref
    await assessment.open_item(db, actor, ref.unit_id, ref.period_id, "3.3", now=utcnow())
    answered = await assessment.answer_text(db, actor, "1.150/1.200", now=utcnow())
    assert answered.step == "evidence"
    text = item_screen(answered).text
    assert "📎 Gửi ảnh ngay trong khung chat. Bấm “Tiếp” khi đã xong." in text
    assert "PDF" not in text and "đường dẫn" not in text and "trích dẫn" not in text

    managing = await assessment.open_item(
        db, actor, ref.unit_id, ref.period_id, "3.3", step="evidence_manage", now=utcnow()
    )
    assert "⌨️ Gõ số để sửa câu trả lời; ảnh gửi vào đây là tài liệu kiểm chứng." in item_screen(managing).text

    await assessment.open_item(db, actor, ref.unit_id, ref.period_id, "1.2", now=utcnow())
    cited = await assessment.answer_choice(db, actor, ref.unit_id, ref.period_id, "1.2", "y", "", now=utcnow())
    prompt = item_screen(cited).text
    assert (
        "📎 Gửi tệp (PDF, Word, Excel…) ngay trong khung chat hoặc trích dẫn văn bản. Bấm “Tiếp” khi đã xong." in prompt
    )


@pytest.mark.parametrize(
    ("label", "inside"),
    [
        ("Kinh phí đã bố trí (triệu đồng)", "kinh phí đã bố trí (triệu đồng)"),
        ("Tổng số máy tính", "tổng số máy tính"),
        ("CNTT được đầu tư", "CNTT được đầu tư"),  # an acronym keeps its capitals
        ("UBND cấp xã", "UBND cấp xã"),
        ("Đường truyền của UBND", "đường truyền của UBND"),
        ("eGov", "eGov"),
        ("số người", "số người"),
        ("", ""),
    ],
)
def test_a_frameworks_label_is_lowered_mid_sentence_unless_it_starts_with_an_acronym(label, inside):
    assert mid_sentence(label) == inside


async def test_a_ratio_asks_for_its_numbers_without_a_capital_mid_sentence(db, lan):
    actor, first = lan
    ref = first.ref
    money = await assessment.open_item(db, actor, ref.unit_id, ref.period_id, "2.3", now=utcnow())
    assert "✍️ Nhập kinh phí đã bố trí (triệu đồng), hoặc" in item_screen(money).text
    asked = await assessment.answer_text(db, actor, "12", now=utcnow())
    assert asked.step == "b"
    assert "Tiếp theo, hãy nhập: kinh phí theo kế hoạch (triệu đồng)" in receipt_text(asked)


async def test_an_ambiguous_number_is_asked_on_the_card_and_the_receipt_is_one_short_line(db, lan):
    actor, first = lan
    ref = first.ref
    await assessment.open_item(db, actor, ref.unit_id, ref.period_id, "2.3", now=utcnow())
    asked = await assessment.answer_text(db, actor, "1.250", now=utcnow())
    assert asked.step == "pick"
    card = item_screen(replace(asked, notice=None), notice=False)
    assert "❓ “1.250” có thể hiểu theo hai cách. Bạn muốn nhập số nào?" in card.text
    labels = buttons(asked)
    assert "1.250 (dấu chấm tách hàng nghìn)" in labels and "1,25 (dấu chấm là dấu thập phân)" in labels
    receipt = receipt_text(asked)
    assert receipt == "☝️ “1.250”: chọn một trong hai cách hiểu ở thẻ phía trên."  # not the card's question again
    assert "\n" not in receipt and "có thể hiểu theo hai cách" not in receipt
