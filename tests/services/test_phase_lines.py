"""Issue 13.1 and 13.2 on the unit's screens: after the self-assessment the focal point's card and
summary and the leader's results say the period's phase in one line with its date; the focal
point's summary says where the leader's approval stands (sent, returned with the comment, approved)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import update

from bot.render.assessment.cards import list_screen, summary_screen
from bot.render.results.leader import overview_screen, rank_screen, weakest_screen
from bot.services.access import load_actor
from bot.services.assessment import approval
from bot.services.assessment import flow as assessment
from bot.services.results import leader as results
from storage.models import Period
from storage.types import utcnow
from tests.services.helpers import demo_campaign

FOCAL, LEADER = 700001, 700004
SUPPLEMENT_UNTIL, FEEDBACK_UNTIL = date(2026, 12, 15), date(2026, 12, 30)


@pytest.fixture
async def snv(db, store):
    """The demo's Sở Nội vụ (a third answered, nothing submitted), its focal point and its period."""
    report = await demo_campaign(db, store, now=utcnow(), today=date(2026, 11, 22))
    focal = await load_actor(db, FOCAL)
    return focal, focal.unit.unit_id, report.period_id


async def set_period(db, period_id: int, **values) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(Period).where(Period.id == period_id).values(**values))


async def summary_text(db, focal, unit: int, period: int) -> str:
    return summary_screen(await assessment.summary(db, focal, unit, period, now=utcnow())).text


async def test_the_focal_points_summary_says_where_the_leaders_approval_stands(db, snv):
    focal, unit, period = snv
    leader = await load_actor(db, LEADER)
    assert "lãnh đạo đơn vị" not in (await summary_text(db, focal, unit, period)).lower()  # nothing sent yet

    await assessment.submit(db, focal, unit, period, now=utcnow())
    assert "📨 Đã gửi lãnh đạo đơn vị phê duyệt ngày 24/11/2026." in await summary_text(db, focal, unit, period)

    with time_machine.travel(utcnow() + timedelta(days=1)):  # returned the next day, with a comment
        await approval.return_to_focal_points(db, leader, unit, period, "Bổ sung kế hoạch của chỉ số 2.1", now=utcnow())
        text = await summary_text(db, focal, unit, period)
    assert "↩️ Lãnh đạo đơn vị trả lại ngày 25/11/2026: “Bổ sung kế hoạch của chỉ số 2.1”" in text
    assert "Đã gửi lãnh đạo" not in text

    with time_machine.travel(utcnow() + timedelta(days=2)):
        await assessment.submit(db, focal, unit, period, now=utcnow())
        await approval.approve(db, leader, unit, period, now=utcnow())
        text = await summary_text(db, focal, unit, period)
    assert "✅ Lãnh đạo đơn vị đã phê duyệt ngày 26/11/2026." in text and "trả lại" not in text


async def test_a_period_without_the_leaders_approval_shows_no_approval_line(db, snv):
    focal, unit, period = snv
    await set_period(db, period, unit_approval=False)
    await assessment.submit(db, focal, unit, period, now=utcnow())
    text = await summary_text(db, focal, unit, period)
    assert "📨" in text and "lãnh đạo đơn vị" not in text.lower()


async def test_during_the_self_assessment_the_header_gives_the_deadline_and_no_phase_line(db, snv):
    focal, unit, period = snv
    text = await summary_text(db, focal, unit, period)
    assert "<b>DTI 2026 · Sở Nội vụ</b> · hạn chót 29/11/2026" in text and "🗓" not in text


async def test_in_appraisal_the_header_says_the_phase_with_the_supplement_date_in_one_line(db, snv):
    focal, unit, period = snv
    await set_period(db, period, state="locked", supplement_deadline=SUPPLEMENT_UNTIL)
    for text in (
        await summary_text(db, focal, unit, period),
        list_screen(await assessment.item_list(db, focal, unit, period, now=utcnow())).text,
    ):
        head = text.split("\n")[:3]
        assert head[1] == "🗓 Đang thẩm định; đơn vị bổ sung hồ sơ đến 15/12/2026."
        assert head[2] == "🔒 Chỉ những chỉ số được đề nghị bổ sung mới sửa được."
        assert text.count("Đang thẩm định") == 1 and "hạn chót" not in head[0]  # said once, no stale deadline


async def test_provisional_and_final_results_are_said_on_the_summary(db, snv):
    focal, unit, period = snv
    await set_period(db, period, state="provisional", feedback_deadline=FEEDBACK_UNTIL)
    text = await summary_text(db, focal, unit, period)
    assert "🗓 Đã công bố kết quả tạm thời; đơn vị gửi kiến nghị đến 30/12/2026." in text
    assert "🔒 Câu trả lời chỉ xem." in text
    await set_period(db, period, state="published")
    assert "🗓 Đã công bố kết quả chính thức; kỳ đánh giá đã khóa." in await summary_text(db, focal, unit, period)


async def test_the_leaders_results_say_the_phase_in_one_line(db, snv):
    _focal, _unit, period = snv
    leader = await load_actor(db, LEADER)
    line = "🗓 Đang tự đánh giá; hạn nộp đến hết ngày 29/11/2026."
    assert line in rank_screen(await results.standing(db, leader, now=utcnow())).text
    assert "🗓" not in rank_screen(await results.standing(db, leader)).text  # no day given: no sentence

    await set_period(db, period, state="provisional", feedback_deadline=FEEDBACK_UNTIL)
    line = "🗓 Đã công bố kết quả tạm thời; đơn vị gửi kiến nghị đến 30/12/2026."
    view = await results.standing(db, leader, now=utcnow())
    assert line in rank_screen(view).text and line in overview_screen(view).text
    assert line in weakest_screen(await results.weakest(db, leader, now=utcnow())).text
    assert rank_screen(view).text.count("🗓") == 1

    await set_period(db, period, state="published")
    text = rank_screen(await results.standing(db, leader, now=utcnow())).text
    assert "🗓" not in text  # "final, published" is said by the result's own note
