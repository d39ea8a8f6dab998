"""A period moves through its phases — self-assessment, appraisal, provisional results, final —
each move with its date and an audit row (who, when, from where, why); going back needs a reason;
publishing results tells every unit's people their points and rank, one message per person."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bot.render.appraisal.council import close_question
from bot.render.campaign.phases import confirm_move_screen, phase_line, phase_screen, results_notice
from bot.services.access import SYSTEM, load_actor
from bot.services.appraisal import council
from bot.services.campaign import periods
from bot.services.errors import ServiceError
from storage.models import Answer, Membership, Objection, Outbox, Period, PeriodChange, Person, Unit
from storage.types import utcnow
from tests.services.helpers import demo_campaign

COORDINATOR, LEADER, FOCAL, REVIEWER = 700007, 700004, 700001, 700006


@pytest.fixture
async def demo(db, store):
    return await demo_campaign(db, store, now=utcnow(), today=date(2026, 11, 22))  # deadline 29/11/2026


async def audit(db, period_id: int) -> list[tuple]:
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(PeriodChange).where(PeriodChange.period_id == period_id).order_by(PeriodChange.id)
            )
        ).scalars()
        return [(r.action, r.from_state, r.to_state, r.new_deadline, r.reason, r.changed_by, r.via) for r in rows]


async def outbox(db, kind: str) -> list[Outbox]:
    async with db.read_session() as session:
        return list((await session.execute(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))).scalars())


async def test_a_period_moves_through_every_phase_with_its_dates_and_every_move_is_audited(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    period = demo.period_id
    now = utcnow()  # Tuesday 24/11/2026, the self-assessment deadline is Sunday 29/11/2026
    appraisal = await periods.move_phase(db, coordinator, period, "appraisal", now=now)
    # 15 working days after the deadline
    assert (appraisal.to_state, appraisal.until) == ("locked", date(2026, 12, 18))
    assert appraisal.period.supplement_deadline == date(2026, 12, 18) and appraisal.notified == 0
    provisional = await periods.move_phase(
        db, coordinator, period, "provisional", now=now, render=results_notice
    )  # 5 working days from today
    assert (provisional.to_state, provisional.until) == ("provisional", date(2026, 12, 1))
    final = await periods.move_phase(
        db, coordinator, period, "final", reason="QĐ 123/QĐ-UBND", now=now, render=results_notice
    )
    assert final.period.state == "published" and final.until is None
    who = coordinator.person_id
    assert await audit(db, period) == [
        ("appraisal", "open", "locked", date(2026, 12, 18), "", who, "chat"),
        ("provisional", "locked", "provisional", date(2026, 12, 1), "", who, "chat"),
        ("final", "provisional", "published", None, "QĐ 123/QĐ-UBND", who, "chat"),
    ]
    async with db.read_session() as session:
        changed_at = (await session.execute(select(func.min(PeriodChange.changed_at)))).scalar_one()
    assert changed_at == now
    told = await outbox(db, "results_provisional")
    assert provisional.notified == len(told) > 0 and final.notified == len(await outbox(db, "results_final"))


async def test_publishing_results_tells_each_person_once_with_every_unit_of_theirs_and_its_rank(db, demo):
    async with db.session() as session, session.begin():
        leader = (await session.execute(select(Person).where(Person.telegram_id == LEADER))).scalar_one()
        commune = (await session.execute(select(Unit).where(Unit.code == "X-MYAN"))).scalar_one()
        session.add(Membership(person_id=leader.id, unit_id=commune.id, role="leader"))  # leads two units
        people = (
            await session.execute(
                select(func.count(func.distinct(Membership.person_id)))
                .join(Person, Person.id == Membership.person_id)
                .where(Membership.role.in_(("focal_point", "leader")), Person.telegram_id.is_not(None))
            )
        ).scalar_one()
    await periods.move_phase(db, SYSTEM, demo.period_id, "appraisal", now=utcnow())
    moved = await periods.move_phase(db, SYSTEM, demo.period_id, "provisional", now=utcnow(), render=results_notice)
    told = await outbox(db, "results_provisional")
    assert moved.notified == len(told) == people == len({m.person_id for m in told})
    mine = next(m for m in told if m.chat_id == LEADER)
    text = mine.payload["text"]
    assert "Kết quả tạm thời" in text and "Sở Nội vụ:" in text and "Xã Mỹ An" in text
    assert "xếp thứ" in text and "gửi kiến nghị đến hết ngày 01/12/2026" in text
    assert mine.payload["rows"][0][0]["action"] == "mnu|0|0||rank"
    again = await periods.move_phase(db, SYSTEM, demo.period_id, "reopen", reason="Sai số liệu Sở Y tế", now=utcnow())
    assert again.to_state == "locked" and again.notified == 0


async def test_going_back_needs_a_reason_and_impossible_moves_change_nothing(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    period, now = demo.period_id, utcnow()
    refusals = [
        ("final", {}, "bad_transition"),  # the self-assessment is still open
        ("provisional", {}, "bad_transition"),
        ("reopen", {"reason": "không rõ"}, "bad_transition"),  # nothing before the self-assessment
        ("appraisal", {"until": date(2026, 11, 20)}, "date_in_past"),
        ("appraisal", {"until": date(2026, 11, 27)}, "supplement_before_deadline"),
        ("jump", {}, "unknown_move"),
    ]
    for move, extra, reason in refusals:
        with pytest.raises(ServiceError) as refused:
            await periods.move_phase(db, coordinator, period, move, now=now, **extra)
        assert refused.value.reason == reason, move
    await periods.move_phase(db, coordinator, period, "appraisal", until=date(2026, 12, 15), now=now)
    for blank in ("", "  ", "ok"):
        with pytest.raises(ServiceError) as refused:
            await periods.move_phase(db, coordinator, period, "reopen", reason=blank, now=now)
        assert refused.value.reason == "reason_required"
    with pytest.raises(ServiceError):
        await periods.move_phase(db, coordinator, period, "appraisal", now=now)  # already there
    assert [row[:3] for row in await audit(db, period)] == [("appraisal", "open", "locked")]
    back = await periods.move_phase(db, coordinator, period, "reopen", reason="Gia hạn theo văn bản 45/UBND", now=now)
    assert back.to_state == "open" and back.until is None
    assert (await audit(db, period))[-1] == (
        "reopen",
        "locked",
        "open",
        None,
        "Gia hạn theo văn bản 45/UBND",
        coordinator.person_id,
        "chat",
    )


async def test_only_coordinators_admins_and_the_command_line_move_phases(db, demo):
    for telegram_id in (FOCAL, LEADER, REVIEWER):
        with pytest.raises(ServiceError) as refused:
            await periods.move_phase(db, await load_actor(db, telegram_id), demo.period_id, "appraisal", now=utcnow())
        assert refused.value.reason == "not_allowed"
    moved = await periods.move_phase(db, SYSTEM, demo.period_id, "appraisal", via="chat", now=utcnow())
    assert moved.to_state == "locked" and (await audit(db, demo.period_id))[-1][-2:] == (None, "cli")


async def test_a_reopening_asked_in_the_chat_takes_the_typed_reason(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    await periods.move_phase(db, coordinator, demo.period_id, "appraisal", now=utcnow())
    view = await periods.start_reopen(db, coordinator, demo.period_id, now=utcnow())
    assert view.back_to == "open" and await periods.phase_cursor(db, coordinator) is not None
    with pytest.raises(ServiceError) as refused:
        await periods.reopen_with_reason(db, coordinator, "\u200b\u200b", now=utcnow())
    assert refused.value.reason == "invisible_text"
    moved = await periods.reopen_with_reason(db, coordinator, "Đơn vị xin gia hạn", now=utcnow())
    assert moved.to_state == "open" and await periods.phase_cursor(db, coordinator) is None
    assert (await audit(db, demo.period_id))[-1][4] == "Đơn vị xin gia hạn"


async def test_the_phase_screen_shows_the_phase_its_dates_and_the_next_move(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    view = await periods.phase_view(db, coordinator, now=utcnow())
    assert (view.period.id, view.next_move, view.next_until, view.back_to) == (
        demo.period_id,
        "appraisal",
        date(2026, 12, 18),
        None,
    )
    screen = phase_screen(view, date(2026, 11, 24))
    assert "Giai đoạn hiện tại: <b>đang tự đánh giá</b>" in screen.text
    assert "Đang tự đánh giá; hạn nộp đến hết ngày 29/11/2026." in screen.text
    assert "đến hết ngày 18/12/2026" in screen.text  # the supplement window the next move opens
    labels = [b.text for row in screen.rows for b in row]
    assert labels[0] == "➡️ Chuyển sang thẩm định"


def test_one_sentence_says_where_the_period_stands():
    def period(state, supplement=None, feedback=None):
        return SimpleNamespace(
            state=state, deadline=date(2026, 11, 30), supplement_deadline=supplement, feedback_deadline=feedback
        )

    today = date(2026, 12, 1)
    assert phase_line(period("draft"), today).startswith("Kỳ đánh giá đang được chuẩn bị")
    assert phase_line(period("open"), date(2026, 11, 24)) == "Đang tự đánh giá; hạn nộp đến hết ngày 30/11/2026."
    assert phase_line(period("open"), today).startswith("Đã hết hạn tự đánh giá (30/11/2026)")
    assert phase_line(period("locked", date(2026, 12, 15)), today) == (
        "Đang thẩm định; đơn vị bổ sung hồ sơ đến 15/12/2026."
    )
    assert phase_line(period("locked", date(2026, 11, 30)), today) == (
        "Đang thẩm định; đã hết hạn bổ sung hồ sơ (30/11/2026)."
    )
    assert phase_line(period("provisional", feedback=date(2026, 12, 8)), today) == (
        "Đã công bố kết quả tạm thời; đơn vị gửi kiến nghị đến 08/12/2026."
    )
    assert phase_line(period("published"), today) == "Đã công bố kết quả chính thức; kỳ đánh giá đã khóa."


async def test_a_late_deadline_day_counts_in_the_campaigns_time_zone(db, demo):
    # 23:30 on 29/11 in Hà Nội is 16:30 UTC: still the deadline day, so the window starts after it
    late = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)
    assert periods.default_until(await periods.get_period(db, demo.period_id), "appraisal", late) == date(2026, 12, 18)
    async with db.read_session() as session:
        assert (await session.get(Period, demo.period_id)).supplement_deadline is None  # only shown, not set


async def covered_units(db) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(func.count()).select_from(Unit).where(Unit.active.is_(True)))).scalar_one()


async def test_moving_to_appraisal_early_says_the_days_left_and_the_units_not_through_and_asks_again(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    view = await periods.phase_view(db, coordinator, now=utcnow())  # 24/11/2026, the deadline is 29/11/2026
    check, approvals = view.check, view.approvals
    assert (check.target, check.deadline, check.days_left) == ("locked", date(2026, 11, 29), 5)
    assert check.not_approved == approvals["waiting"] == 1
    assert check.not_submitted == await covered_units(db) - approvals["approved"] - approvals["waiting"] == 47
    text = confirm_move_screen(view, "appraisal", view.next_until).text
    assert (
        "⚠️ Còn 5 ngày đến hạn chót tự đánh giá (29/11/2026); 47 đơn vị chưa nộp; "
        "1 đơn vị chờ lãnh đạo phê duyệt. Vẫn chuyển sang thẩm định?"
    ) in text
    last_day = await periods.phase_view(db, coordinator, now=datetime(2026, 11, 29, 3, tzinfo=UTC))
    assert (
        "⚠️ Hôm nay là hạn chót tự đánh giá (29/11/2026); 47 đơn vị"
        in confirm_move_screen(last_day, "appraisal", last_day.next_until).text
    )
    moved = await periods.move_phase(db, coordinator, demo.period_id, "appraisal", now=utcnow())
    assert moved.to_state == "locked"  # said, asked, and still the coordinator's decision


async def test_closing_the_appraisal_early_says_the_supplement_window_and_the_items_still_waiting(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    await periods.move_phase(db, coordinator, demo.period_id, "appraisal", now=utcnow())  # supplements to 18/12
    view = await periods.phase_view(db, coordinator, now=utcnow())
    waiting = (await council.council_view(db, coordinator, demo.period_id)).waiting
    async with db.read_session() as session:
        sent_back = (
            await session.execute(select(func.count()).select_from(Answer).where(Answer.status == "needs_supplement"))
        ).scalar_one()
    check = view.check
    assert (check.supplement_until, check.waiting, check.sent_back) == (date(2026, 12, 18), waiting, sent_back)
    assert waiting > 0
    warning = f"⚠️ Đơn vị còn được bổ sung hồ sơ đến hết ngày 18/12/2026; {waiting} chỉ số chờ thẩm định"
    text = confirm_move_screen(view, "provisional", view.next_until).text
    assert warning in text and "Vẫn kết thúc thẩm định và công bố kết quả tạm thời?" in text
    chair_view = await council.council_view(db, coordinator, demo.period_id, now=utcnow())
    assert warning in close_question(chair_view).text  # the council's own button asks the same

    async with db.session() as session, session.begin():  # everything decided, the window closed
        for answer in (await session.execute(select(Answer).where(Answer.period_id == demo.period_id))).scalars():
            if answer.status in ("submitted", "needs_supplement"):
                answer.status = "accepted"
    after = await periods.phase_view(db, coordinator, now=datetime(2026, 12, 21, 2, tzinfo=UTC))
    assert not after.check.warns and "⚠️" not in confirm_move_screen(after, "provisional", after.next_until).text


async def test_publishing_final_results_early_says_the_objection_window_and_the_objections_not_answered(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    period = demo.period_id
    await periods.move_phase(db, coordinator, period, "appraisal", now=utcnow())
    await periods.move_phase(db, coordinator, period, "provisional", now=utcnow())  # objections until 01/12
    async with db.session() as session, session.begin():
        unit = (await session.execute(select(Unit).where(Unit.code == "X-MYAN"))).scalar_one()
        for state in ("open", "open", "rejected"):
            session.add(Objection(period_id=period, unit_id=unit.id, sub_index_code="1.1", reason="Sai", state=state))
    view = await periods.phase_view(db, coordinator, now=utcnow())
    assert (view.check.feedback_until, view.check.open_objections) == (date(2026, 12, 1), 2)
    assert (
        "⚠️ Đơn vị còn được gửi kiến nghị đến hết ngày 01/12/2026; 2 kiến nghị chưa được trả lời. "
        "Vẫn công bố kết quả chính thức?"
    ) in confirm_move_screen(view, "final", view.next_until).text
    final = await periods.move_phase(db, coordinator, period, "final", reason="QĐ 7/QĐ-UBND", now=utcnow())
    assert final.to_state == "published"
    # going back from final to provisional stays possible, with a reason
    with pytest.raises(ServiceError) as refused:
        await periods.move_phase(db, coordinator, period, "reopen", reason="", now=utcnow())
    assert refused.value.reason == "reason_required"
    back = await periods.move_phase(db, coordinator, period, "reopen", reason="Sửa điểm chỉ số 1.1", now=utcnow())
    assert (back.from_state, back.to_state) == ("published", "provisional")


async def test_the_default_objection_window_is_always_counted_in_full_from_the_day_results_become_provisional(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    period = demo.period_id
    await periods.move_phase(db, coordinator, period, "appraisal", now=utcnow())
    async with db.session() as session, session.begin():  # left from an earlier provisional phase, reopened since
        (await session.get(Period, period)).feedback_deadline = date(2026, 11, 25)
    view = await periods.phase_view(db, coordinator, now=utcnow())  # Tuesday 24/11/2026
    assert (view.next_until, view.window_days) == (date(2026, 12, 1), 5)  # five working days, not one day
    assert (
        "đến hết ngày 01/12/2026 (5 ngày làm việc kể từ ngày công bố kết quả tạm thời)."
        in confirm_move_screen(view, "provisional", view.next_until).text
    )
    moved = await periods.move_phase(db, coordinator, period, "provisional", now=utcnow())
    assert moved.until == moved.period.feedback_deadline == date(2026, 12, 1)
    await periods.move_phase(db, coordinator, period, "reopen", reason="Rà soát chỉ số 2.1", now=utcnow())
    # published again on Monday 30/11: the old 01/12 would leave one day; five working days from 30/11
    again = await periods.move_phase(db, coordinator, period, "provisional", now=datetime(2026, 11, 30, 2, tzinfo=UTC))
    assert again.until == date(2026, 12, 7)
    await periods.move_phase(db, coordinator, period, "reopen", reason="Rà soát chỉ số 2.2", now=utcnow())
    kept = await periods.move_phase(db, coordinator, period, "provisional", now=utcnow())
    assert kept.until == date(2026, 12, 7)  # a date that gives more time than the full window is kept
