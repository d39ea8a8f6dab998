"""Coordinators at a glance: progress with totals and named cohorts, "🔔 Remind" a late unit once a day,
a broadcast scheduled for later and cancelled (or refused once it went), audiences in words, and a
reminder's "Continue" that opens the unit's first missing item."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.render.actions import parse
from bot.render.campaign import notices
from bot.render.campaign.progress import PAGE, progress_screen
from bot.render.errors import service_error
from bot.services.access import SYSTEM, NotAllowed, load_actor
from bot.services.admin.frameworks import framework_of
from bot.services.admin.invites import create_invites, redeem_invite
from bot.services.assessment import flow
from bot.services.assessment.answers import write_answer
from bot.services.assessment.views import ItemView, Summary
from bot.services.campaign import broadcasts, progress, reminders
from bot.services.campaign.outbox import Outcome, claim, finish
from bot.services.errors import ServiceError
from storage.lean import lean_in
from storage.models import FrameworkVersion, Outbox, Period, Unit
from storage.types import utcnow
from tests.services.helpers import demo_campaign, department_period

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COORDINATOR, ADMIN, REVIEWER, LAN = 700007, 700008, 700006, 700001


@pytest.fixture
async def demo(db, store):
    return await demo_campaign(db, store, today=date(2026, 11, 22), now=utcnow())


def buttons(screen) -> list[str]:
    return [b.text for row in screen.rows for b in row]


def actions_of(screen) -> list[str]:
    return [b.action for row in screen.rows for b in row]


async def outbox_rows(db, batch_prefix: str) -> list[Outbox]:
    async with db.session() as session:
        return list(
            (await session.execute(select(Outbox).where(Outbox.batch.like(f"{batch_prefix}%")).order_by(Outbox.id)))
            .scalars()
            .all()
        )


# -- progress --------------------------------------------------------------------------------------------


async def _answer(db, period_id: int, unit_code: str, count: int | None, submit: bool) -> None:
    """Answer the unit's first `count` askable items (None: all of them), optionally submitted."""
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id)
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
        unit = (await session.execute(select(Unit).where(Unit.code == unit_code))).scalar_one()
        subs = [s for s in framework.sub_indices if s.method.kind != "external" and s.applies_to(unit.attributes)]
        sql = await lean_in(session)
        for sub in subs[:count]:
            raw = {
                "yes_no": {"yes": True},
                "options": {"option": sub.method.options[0].code} if sub.method.kind == "options" else None,
                "criteria": {"criteria": []},
                "ratio": {"a": 1, "b": 1},
                "count_tiers": {"count": 1},
                "minmax": {"value": 1},
            }[sub.method.kind]
            answer, _ = await write_answer(
                sql, period_id=period_id, unit_id=unit.id, sub=sub, raw=raw, person_id=None, now=utcnow()
            )
            if submit:
                await sql.run("UPDATE answer SET status = 'submitted' WHERE id = :id", {"id": answer.id})


async def _coordinator(db, telegram_id: int = 650):
    [invite] = await create_invites(db, SYSTEM, "coordinator", None, now=utcnow())
    await redeem_invite(db, invite.code, telegram_id=telegram_id, full_name="Võ Thanh Sơn", now=utcnow())
    return await load_actor(db, telegram_id)


async def test_progress_counts_submitted_in_progress_and_not_started_units_with_the_days_left(db):
    period = await department_period(db, units=4)
    await _answer(db, period.id, "U000", None, submit=True)  # submitted
    await _answer(db, period.id, "U001", 3, submit=False)  # in progress
    await _answer(db, period.id, "U003", None, submit=False)  # every item answered, not submitted: in progress
    coordinator = await _coordinator(db)
    report = await progress.progress_report(db, coordinator, now=utcnow())  # Tuesday 24/11/2026
    totals = report.totals
    assert (totals.total, totals.submitted, totals.in_progress, totals.not_started) == (4, 1, 2, 1)
    assert report.days_left == 6  # deadline 30/11/2026
    assert [u.code for u in report.late] == ["U002", "U001", "U003"]  # least complete first
    screen = progress_screen(report)
    assert "1/4 đơn vị đã nộp · 2 đang làm · 1 chưa bắt đầu" in screen.text
    assert "Hạn chót 30/11/2026 — còn 6 ngày." in screen.text
    assert "Chưa nộp: 3 đơn vị" in screen.text and "Đơn vị 3 — đã trả lời đủ, chưa nộp" in screen.text
    assert "Đơn vị 2 — chưa bắt đầu" in screen.text and "Đơn vị 0" not in screen.text
    assert buttons(screen)[:3] == ["🔔 Nhắc Đơn vị 2", "🔔 Nhắc Đơn vị 1", "🔔 Nhắc Đơn vị 3"]


async def test_progress_names_each_cohort_and_pages_the_late_units_with_a_remind_button_each(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    report = await progress.progress_report(db, coordinator, now=utcnow())
    assert [(c.name, c.total) for c in report.cohorts] == [("khối sở, ban, ngành", 30), ("khối xã, phường", 20)]
    for counts in (report.totals, *report.cohorts):
        assert counts.submitted + counts.in_progress + counts.not_started == counts.total
    assert report.totals.total == 50 and len(report.late) == 50 - report.totals.submitted
    first = progress_screen(report)
    assert f"{report.totals.submitted}/50 đơn vị đã nộp" in first.text
    assert "• Khối sở, ban, ngành: " in first.text and "• Khối xã, phường: " in first.text
    assert "so-nganh" not in first.text and "xa-phuong" not in first.text
    pages = -(-len(report.late) // PAGE)
    assert f"(trang 1/{pages})" in first.text
    remind = [a for a in actions_of(first) if a.startswith("rmu|")]
    assert len(remind) == PAGE and len(set(remind)) == PAGE
    assert "Trang sau ➡️" in buttons(first) and "⬅️ Trang trước" not in buttons(first)
    last = progress_screen(report, pages + 5)  # a page past the end shows the last one
    assert f"(trang {pages}/{pages})" in last.text and "Trang sau ➡️" not in buttons(last)
    shown = {parse(a).unit for page in range(pages) for a in actions_of(progress_screen(report, page)) if "rmu|" in a}
    assert shown == {u.unit_id for u in report.late}  # every late unit has its button on some page
    # A reviewer sees the progress, without buttons to remind anyone.
    reviewer_view = progress_screen(await progress.progress_report(db, await load_actor(db, REVIEWER), now=utcnow()))
    assert not [a for a in actions_of(reviewer_view) if a.startswith("rmu|")]


# -- remind this unit ------------------------------------------------------------------------------------


async def test_reminding_a_late_unit_reaches_its_focal_points_once_a_day_whoever_presses(db, demo, campaign_clock):
    coordinator, admin = await load_actor(db, COORDINATOR), await load_actor(db, ADMIN)
    report = await progress.progress_report(db, coordinator, now=utcnow())
    snv = next(u for u in report.units if u.code == "SNV")
    first = await reminders.remind_unit(
        db, coordinator, report.period_id, snv.unit_id, notices.reminder_payload, now=utcnow()
    )
    assert (first.outcome, first.recipients) == ("sent", 2)  # Nguyễn Thị Lan and Huỳnh Văn Phúc
    assert notices.nudged(first) == "🔔 Đã gửi nhắc Sở Nội vụ (2 đầu mối)."
    rows = await outbox_rows(db, "nudge:")
    assert len(rows) == 2 and {r.state for r in rows} == {"pending"} and rows[0].not_before <= utcnow()
    text = rows[0].payload["text"]
    assert text.startswith("🔔 <b>Điều phối viên nhắc</b>") and "Sở Nội vụ còn" in text
    assert rows[0].payload["rows"][0][0]["action"] == f"nav|{snv.unit_id}|{report.period_id}||missing"
    again = await reminders.remind_unit(
        db, admin, report.period_id, snv.unit_id, notices.reminder_payload, now=utcnow()
    )
    assert again.outcome == "already" and "Hôm nay đã nhắc đơn vị này" in notices.nudged(again)
    assert len(await outbox_rows(db, "nudge:")) == 2
    after = await progress.progress_report(db, coordinator, now=utcnow())
    assert after.reminded_today == {snv.unit_id}
    shown = progress_screen(after, [u.unit_id for u in after.late].index(snv.unit_id) // PAGE)
    assert "✅ Đã nhắc hôm nay: Sở Nội vụ" in buttons(shown) and "🔔 Nhắc Sở Nội vụ" not in buttons(shown)
    assert next(line for line in shown.text.splitlines() if "Sở Nội vụ" in line).endswith("🔔 đã nhắc hôm nay")
    campaign_clock.move_to(datetime(2026, 11, 25, 9, 0, tzinfo=VN))  # the next morning
    assert (await progress.progress_report(db, coordinator, now=utcnow())).reminded_today == frozenset()
    next_day = await reminders.remind_unit(
        db, coordinator, report.period_id, snv.unit_id, notices.reminder_payload, now=utcnow()
    )
    assert next_day.outcome == "sent" and len(await outbox_rows(db, "nudge:")) == 4


async def test_a_unit_that_submitted_is_not_reminded_and_others_may_not_remind(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    report = await progress.progress_report(db, coordinator, now=utcnow())
    done = next(u for u in report.units if u.stage == "submitted")
    nudged = await reminders.remind_unit(
        db, coordinator, report.period_id, done.unit_id, notices.reminder_payload, now=utcnow()
    )
    assert nudged.outcome == "done" and "đã nộp, không cần nhắc" in notices.nudged(nudged)
    for who in (REVIEWER, LAN):
        with pytest.raises(NotAllowed):
            await reminders.remind_unit(
                db, await load_actor(db, who), report.period_id, done.unit_id, notices.reminder_payload, now=utcnow()
            )
    with pytest.raises(ServiceError) as forged:
        await reminders.remind_unit(
            db, coordinator, report.period_id + 99, done.unit_id, notices.reminder_payload, now=utcnow()
        )
    assert forged.value.reason == "unknown_item"
    assert await outbox_rows(db, "nudge:") == []


# -- scheduled broadcasts ----------------------------------------------------------------------------------


async def _compose(db, coordinator, audience: str = "behind") -> None:
    await broadcasts.begin(db, coordinator, now=utcnow())
    await broadcasts.take_text(db, coordinator, "Đề nghị hoàn thành tự đánh giá trước thứ Sáu.")
    await broadcasts.choose_audience(db, coordinator, audience, now=utcnow())


async def test_a_broadcast_scheduled_for_tomorrow_and_cancelled_never_goes(db, demo, campaign_clock):
    coordinator = await load_actor(db, COORDINATOR)
    await _compose(db, coordinator)
    now = utcnow()
    created = await broadcasts.confirm(
        db, coordinator, notices.broadcast_message, broadcasts.preset_time("tomorrow", now), now=now
    )
    assert created.scheduled and created.send_at == datetime(2026, 11, 25, 8, 0, tzinfo=VN)
    assert buttons(notices.created(created)) == ["❌ Hủy lịch gửi"]
    assert [s.id for s in await broadcasts.scheduled(db, coordinator, now=now)] == [created.id]
    assert "Hủy lịch gửi #" in " ".join(
        buttons(notices.ask_broadcast_text(await broadcasts.begin(db, coordinator, now=now)))
    )
    cancelled = await broadcasts.cancel_scheduled(db, coordinator, created.id)
    assert cancelled.messages == created.recipients > 0
    assert "không ai nhận được tin này" in notices.cancelled(cancelled).text
    assert {r.state for r in await outbox_rows(db, f"bc:{created.id}")} == {"cancelled"}
    assert await broadcasts.scheduled(db, coordinator, now=now) == ()
    with pytest.raises(ServiceError) as twice:
        await broadcasts.cancel_scheduled(db, coordinator, created.id)
    assert twice.value.reason == "broadcast_already_cancelled"
    campaign_clock.move_to(datetime(2026, 11, 25, 8, 1, tzinfo=VN))  # past its time: nothing is claimed
    assert await claim(db, rate=1000, now=utcnow(), limit=1000) == []


async def test_a_scheduled_broadcast_cannot_be_cancelled_once_it_started_going(db, demo, campaign_clock):
    coordinator = await load_actor(db, COORDINATOR)
    await _compose(db, coordinator, "focal_points")
    await broadcasts.ask_time(db, coordinator)
    created = await broadcasts.typed(db, coordinator, "10:00", notices.broadcast_message, now=utcnow())  # today
    assert created.send_at == datetime(2026, 11, 24, 10, 0, tzinfo=VN) and created.recipients > 1
    campaign_clock.move_to(datetime(2026, 11, 24, 10, 0, 5, tzinfo=VN))
    claimed = await claim(db, rate=1000, now=utcnow(), limit=1)  # one message is on its way
    assert len(claimed) == 1
    with pytest.raises(ServiceError) as refused:
        await broadcasts.cancel_scheduled(db, coordinator, created.id)
    assert refused.value.reason == "broadcast_already_sent"
    assert service_error(refused.value) == (f"Thông báo #{created.id} đã bắt đầu được gửi đi, không thể hủy nữa.")
    states = [r.state for r in await outbox_rows(db, f"bc:{created.id}")]
    assert states.count("sending") == 1 and states.count("pending") == len(states) - 1  # nothing cancelled
    await finish(db, [Outcome(claimed[0].id, "sent")], utcnow())
    with pytest.raises(ServiceError):
        await broadcasts.cancel_scheduled(db, coordinator, created.id)
    assert "cancelled" not in {r.state for r in await outbox_rows(db, f"bc:{created.id}")}


NOW = datetime(2026, 11, 24, 9, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("25/11/2026 14:30", datetime(2026, 11, 25, 14, 30, tzinfo=VN)),
        ("25/11/2026 8:00", datetime(2026, 11, 25, 8, 0, tzinfo=VN)),
        ("14:30 25/11/2026", datetime(2026, 11, 25, 14, 30, tzinfo=VN)),
        ("14h30 ngày 25/11", datetime(2026, 11, 25, 14, 30, tzinfo=VN)),
        ("8h 26/11/2026", datetime(2026, 11, 26, 8, 0, tzinfo=VN)),
        ("lúc 7g15 ngày 01-12-2026", datetime(2026, 12, 1, 7, 15, tzinfo=VN)),
        ("26.11.26 16:45", datetime(2026, 11, 26, 16, 45, tzinfo=VN)),
        ("15:00", datetime(2026, 11, 24, 15, 0, tzinfo=VN)),  # today
        ("09:00", datetime(2026, 11, 24, 9, 0, tzinfo=VN)),  # this very minute: not yet past
    ],
)
def test_a_typed_send_time_is_read_the_vietnamese_way_in_vietnam_time(typed, expected):
    assert broadcasts.parse_send_at(typed, NOW.astimezone(UTC)) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("ngày mai", "broadcast_bad_time"),
        ("25/11/2026", "broadcast_bad_time"),  # a day without an hour
        ("31/02/2026 08:00", "broadcast_bad_time"),
        ("25/11/2026 24:00", "broadcast_bad_time"),
        ("23/11/2026 08:00", "broadcast_in_past"),
        ("08:59", "broadcast_in_past"),
        ("25/12/2027 08:00", "broadcast_too_far"),
    ],
)
def test_a_send_time_that_cannot_be_read_or_has_passed_is_refused_in_words(typed, reason):
    with pytest.raises(ServiceError) as refused:
        broadcasts.parse_send_at(typed, NOW.astimezone(UTC))
    assert refused.value.reason == reason
    assert "(" not in service_error(refused.value)  # a sentence of its own, not the generic fallback


def test_the_preset_times_are_eight_in_the_morning_campaign_time():
    early = datetime(2026, 11, 24, 6, 30, tzinfo=VN).astimezone(UTC)
    assert broadcasts.preset_time("today", early) == datetime(2026, 11, 24, 8, 0, tzinfo=VN)
    assert broadcasts.preset_time("tomorrow", early) == datetime(2026, 11, 25, 8, 0, tzinfo=VN)
    after_midnight = datetime(2026, 11, 25, 1, 0, tzinfo=VN).astimezone(UTC)  # still the 24th in UTC
    assert broadcasts.preset_time("today", after_midnight) == datetime(2026, 11, 25, 8, 0, tzinfo=VN)
    assert broadcasts.preset_time("tomorrow", after_midnight) == datetime(2026, 11, 26, 8, 0, tzinfo=VN)
    assert broadcasts.preset_time("now", early) is None


# -- audiences in words ----------------------------------------------------------------------------------


async def test_audiences_are_named_in_words_on_buttons_previews_confirmations_and_reports(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    await broadcasts.begin(db, coordinator, now=utcnow())
    options = await broadcasts.take_text(db, coordinator, "Họp trực tuyến lúc 14:00.")
    labels = buttons(notices.choose_audience(options))
    assert labels == [
        "tất cả đầu mối",
        "đầu mối các đơn vị chưa nộp",
        "lãnh đạo đơn vị",
        "đầu mối khối sở, ban, ngành",
        "đầu mối khối xã, phường",
        "✖️ Hủy",
    ]
    preview = await broadcasts.choose_audience(db, coordinator, "cohort:so-nganh", now=utcnow())
    assert "Gửi đến: đầu mối khối sở, ban, ngành — " in notices.preview(preview).text
    assert "8 giờ sáng nay" not in buttons(notices.preview(preview))  # 09:00 already: only tomorrow
    created = await broadcasts.confirm(
        db, coordinator, notices.broadcast_message, broadcasts.preset_time("tomorrow", utcnow()), now=utcnow()
    )
    confirmation = notices.created(created).text
    assert "tới đầu mối khối sở, ban, ngành" in confirmation and "08:00 25/11/2026" in confirmation
    await broadcasts.attach_report(db, coordinator, created.id, 700007, 1)
    [report] = await broadcasts.open_reports(db, utcnow())
    text = notices.report(report)
    assert "— đầu mối khối sở, ban, ngành" in text and "Sẽ gửi vào 08:00 25/11/2026" in text
    for shown in (labels, confirmation, text):
        assert "so-nganh" not in str(shown) and "cohort" not in str(shown)


async def test_a_cancelled_broadcasts_report_says_so_and_stops_updating(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    await _compose(db, coordinator, "leaders")
    created = await broadcasts.confirm(
        db, coordinator, notices.broadcast_message, broadcasts.preset_time("tomorrow", utcnow()), now=utcnow()
    )
    await broadcasts.attach_report(db, coordinator, created.id, 700007, 1)
    await broadcasts.cancel_scheduled(db, coordinator, created.id)
    [report] = await broadcasts.open_reports(db, utcnow())
    assert report.cancelled and "Đã hủy trước giờ gửi: không tin nào được gửi." in notices.report(report)
    assert "lãnh đạo đơn vị" in notices.report(report)
    assert await broadcasts.open_reports(db, utcnow()) == []  # reported one last time


# -- a reminder's "Continue" -------------------------------------------------------------------------------


async def test_a_reminders_continue_opens_the_first_missing_item_not_the_summary(db):
    period = await department_period(db, units=1)
    [invite] = await create_invites(db, SYSTEM, "focal_point", "U000", now=utcnow())
    await redeem_invite(db, invite.code, telegram_id=640, full_name="Nguyễn Thị Lan", now=utcnow())
    lan = await load_actor(db, 640)
    await _answer(db, period.id, "U000", 2, submit=False)
    unit_id = lan.unit.unit_id
    await flow.navigate(db, lan, unit_id, period.id, "1.1", "summary", now=utcnow())  # she last looked at the summary
    assert isinstance(await flow.open_current(db, lan, now=utcnow()), Summary)  # the menu's "assess" resumes there
    [due] = await reminders.due_reminders(db, datetime(2026, 11, 27, 9, 0, tzinfo=VN).astimezone(UTC))
    action = parse(notices.reminder(due).rows[0][0].action)
    assert (action.verb, action.unit, action.period, action.arg) == ("nav", unit_id, period.id, "missing")
    opened = await flow.navigate(db, lan, action.unit, action.period, action.code, action.arg, now=utcnow())
    assert isinstance(opened, ItemView) and opened.position == 3 and opened.answered == 2
    await _answer(db, period.id, "U000", None, submit=False)
    done = await flow.navigate(db, lan, action.unit, action.period, action.code, action.arg, now=utcnow())
    assert isinstance(done, Summary) and not done.unanswered


async def test_the_outbox_counts_nudges_apart_from_policy_reminders(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    report = await progress.progress_report(db, coordinator, now=utcnow())
    unit = report.late[0]
    await reminders.remind_unit(db, coordinator, report.period_id, unit.unit_id, notices.reminder_payload, now=utcnow())
    async with db.session() as session:
        kinds = dict((await session.execute(select(Outbox.kind, func.count()).group_by(Outbox.kind))).all())
    assert kinds == {"reminder": len([p for p in unit.focal_points if p.reachable])}
    assert (await progress.progress_report(db, coordinator, now=utcnow())).reminded_today == {unit.unit_id}
    assert (await progress.progress_report(db, coordinator, now=utcnow() + timedelta(days=1))).reminded_today == set()
