"""Reminders: the right local days and hours, only units behind, never queued twice."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.clock import Clock
from bot.scheduler import Jobs
from bot.services.access import SYSTEM, NotAllowed, load_actor
from bot.services.admin.frameworks import framework_of
from bot.services.admin.invites import create_invites, redeem_invite
from bot.services.admin.units_import import import_units
from bot.services.assessment.answers import write_answer
from bot.services.campaign.periods import change_state, open_period
from bot.services.campaign.reminder_policy import change_policy, policy_view
from bot.services.campaign.reminders import (
    DEFAULT_POLICY,
    due_reminders,
    next_reminder,
    reminder_step,
    working_days_between,
)
from bot.services.errors import ServiceError
from storage.lean import lean_in
from storage.models import FrameworkVersion, Outbox, Period, Unit
from storage.types import utcnow

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = date(2025, 11, 28)  # a Friday


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    ("now", "step"),
    [
        (at(21, 9), "d7"),  # Friday a week before
        (at(25, 8), "d3"),  # Tuesday
        (at(27, 16), "d1"),
        (at(28, 7, 30), "d0"),  # the day itself, as working hours open
        (at(26, 10), None),  # 2 days before: not a step
        (at(21, 7, 29), None),  # before working hours
        (at(21, 17, 30), None),  # after working hours
        (at(21, 23), None),  # at night
        (at(2, 9, month=12), "late2"),  # Tuesday: 2 working days overdue (Mon, Tue)
        (at(1, 9, month=12), None),  # Monday: 1 working day overdue
        (at(4, 9, month=12), "late4"),  # Thursday
        (at(30, 9), None),  # Sunday: no sending at weekends
    ],
)
def test_reminder_steps_fall_on_the_policys_local_days_and_hours(now, step):
    assert reminder_step(DEFAULT_POLICY, DEADLINE, now.astimezone(UTC)) == step


def test_working_days_skip_weekends():
    assert working_days_between(date(2025, 11, 28), date(2025, 12, 2), [0, 1, 2, 3, 4]) == 2


def test_working_days_skip_vietnamese_public_holidays():
    # 2/9/2025 (Tuesday) and 1/9/2025 (Monday) are National Day holidays.
    assert working_days_between(date(2025, 8, 29), date(2025, 9, 3), [0, 1, 2, 3, 4]) == 1


@pytest.mark.parametrize(
    ("deadline", "now", "step"),
    [
        # Deadline Wednesday 3/12/2025: d3 is Sunday 30/11, so it comes on Friday 28/11; d7 is Wednesday 26/11.
        (date(2025, 12, 3), at(28, 9), "d3"),
        (date(2025, 12, 3), at(30, 9), None),
        # Deadline Monday 1/12/2025: d1 (Sunday) and d3 (Friday) land on the same Friday: the nearer one goes.
        (date(2025, 12, 1), at(28, 9), "d1"),
        # Deadline Saturday 29/11/2025: the deadline-day reminder comes on Friday 28/11.
        (date(2025, 11, 29), at(28, 9), "d0"),
        # Deadline Friday 12/2/2027, just after Tết (4/2–10/2/2027 are holidays): d3 (Tuesday 9/2) moves to
        # Wednesday 3/2, the last working day before Tết; on Tết itself nothing is sent.
        (date(2027, 2, 12), datetime(2027, 2, 3, 9, tzinfo=VN), "d3"),
        (date(2027, 2, 12), datetime(2027, 2, 9, 9, tzinfo=VN), None),
        (date(2027, 2, 12), datetime(2027, 2, 11, 9, tzinfo=VN), "d1"),
    ],
)
def test_a_reminder_on_a_weekend_or_holiday_comes_on_the_working_day_before(deadline, now, step):
    assert reminder_step(DEFAULT_POLICY, deadline, now.astimezone(UTC)) == step


def test_the_next_reminder_after_a_weekend_step_is_the_friday_before():
    assert next_reminder(DEFAULT_POLICY, date(2025, 12, 3), at(27, 18).astimezone(UTC)) == (
        datetime(2025, 11, 28, 7, 30, tzinfo=VN),
        "d3",
    )


def test_a_coordinator_can_change_the_policy():
    policy = {**DEFAULT_POLICY, "days_before": [2], "start": "13:00"}
    assert reminder_step(policy, DEADLINE, at(26, 13)) == "d2"
    assert reminder_step(policy, DEADLINE, at(26, 12)) is None


async def _campaign(db, deadline):
    await import_units(
        db,
        SYSTEM,
        "code,name,cohort,has_public_services\nA,Sở A,so-nganh,có\nB,Sở B,so-nganh,có\n".encode(),
        "u.csv",
        now=utcnow(),
    )
    period = await open_period(db, SYSTEM, "dongthap-1397-so", 2025, deadline)
    for n, unit in enumerate(("A", "B")):
        [invite] = await create_invites(db, SYSTEM, "focal_point", unit, now=utcnow())
        await redeem_invite(db, invite.code, telegram_id=600 + n, full_name=f"Người {unit}", now=utcnow())
    return period


async def _complete(db, period_id, unit_code):
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id)
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
        unit = (await session.execute(select(Unit).where(Unit.code == unit_code))).scalar_one()
        for sub in framework.sub_indices:
            if sub.method.kind == "external" or not sub.applies_to(unit.attributes):
                continue
            raw = {
                "yes_no": {"yes": True},
                "options": {"option": sub.method.options[0].code} if sub.method.kind == "options" else None,
                "criteria": {"criteria": []},
                "ratio": {"a": 1, "b": 1},
                "count_tiers": {"count": 1},
                "minmax": {"value": 1},
            }[sub.method.kind]
            sql = await lean_in(session)
            answer, _ = await write_answer(
                sql, period_id=period_id, unit_id=unit.id, sub=sub, raw=raw, person_id=None, now=datetime.now(UTC)
            )
            await sql.run("UPDATE answer SET status = 'submitted' WHERE id = :id", {"id": answer.id})


async def test_only_units_that_are_behind_are_reminded_with_their_figures(db):
    period = await _campaign(db, DEADLINE)
    await _complete(db, period.id, "A")
    due = await due_reminders(db, at(25, 9).astimezone(UTC))
    assert [(d.unit_name, d.missing, d.total, d.days_left) for d in due] == [("Sở B", 20, 20, 3)]
    assert due[0].dedupe_key == f"reminder:{period.id}:d3:{due[0].person_id}"


async def test_planning_the_same_step_twice_or_after_a_restart_queues_each_reminder_once(db):
    period = await _campaign(db, DEADLINE)
    clock = Clock()
    clock.offset = at(25, 9).astimezone(UTC) - datetime.now(UTC)
    first = Jobs(db, bot=None, sender=None, clock=clock)
    assert await first.plan_reminders() == 2
    assert await first.plan_reminders() == 0
    restarted = Jobs(db, bot=None, sender=None, clock=clock)  # a new process, same database
    assert await restarted.plan_reminders() == 0
    async with db.session() as session:
        rows = (await session.execute(select(Outbox))).scalars().all()
    assert len(rows) == 2
    assert "còn 20/20 chỉ số chưa trả lời, hạn chót 28/11/2025 — còn 3 ngày" in rows[0].payload["text"]
    # "Continue" opens the unit's first missing item (tests/services/test_coordinator_glance.py).
    async with db.session() as session:
        unit_ids = set((await session.execute(select(Unit.id))).scalars())
    assert {r.payload["rows"][0][0]["action"] for r in rows} == {
        f"nav|{unit_id}|{period.id}||missing" for unit_id in unit_ids
    }
    clock.offset = at(27, 9).astimezone(UTC) - datetime.now(UTC)
    assert await first.plan_reminders() == 2  # the next step is a new reminder
    async with db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Outbox))).scalar_one() == 4


def test_the_next_reminder_is_the_first_policy_step_from_now():
    # Tuesday 25/11 at 18:00, after hours: the next step is d1 on Thursday 27/11 at 07:30.
    when, step = next_reminder(DEFAULT_POLICY, DEADLINE, at(25, 18).astimezone(UTC))
    assert (when, step) == (at(27, 7, 30), "d1")
    # Inside working hours on a step day: now.
    assert next_reminder(DEFAULT_POLICY, DEADLINE, at(25, 9).astimezone(UTC)) == (at(25, 9), "d3")
    # Overdue with overdue reminders off: nothing more.
    assert next_reminder({**DEFAULT_POLICY, "overdue_every_working_days": 0}, DEADLINE, at(29, 9)) is None


async def _coordinator(db):
    [invite] = await create_invites(db, SYSTEM, "coordinator", None, now=utcnow())
    await redeem_invite(db, invite.code, telegram_id=650, full_name="Điều phối viên", now=utcnow())
    return await load_actor(db, 650)


async def test_a_coordinator_changes_the_policy_one_tap_at_a_time_and_the_planner_follows(db):
    period = await _campaign(db, DEADLINE)
    coordinator = await _coordinator(db)
    now = at(26, 9).astimezone(UTC)  # Wednesday, 2 days before: no default step today
    view = await change_policy(db, coordinator, period.id, "d:2", now)
    assert view.policy["days_before"] == [7, 3, 2, 1, 0] and view.customized
    assert (view.next_at, view.next_step) == (at(26, 9), "d2")
    view = await change_policy(db, coordinator, period.id, "d:7", now)  # a second tap takes it away
    assert view.policy["days_before"] == [3, 2, 1, 0]
    view = await change_policy(db, coordinator, period.id, "o:3", now)
    view = await change_policy(db, coordinator, period.id, "w:5", now)  # Saturday too
    view = await change_policy(db, coordinator, period.id, "s:08-00", now)
    view = await change_policy(db, coordinator, period.id, "e:17-00", now)
    assert view.policy == {
        "days_before": [3, 2, 1, 0],
        "overdue_every_working_days": 3,
        "start": "08:00",
        "end": "17:00",
        "weekdays": [0, 1, 2, 3, 4, 5],
    }
    # The planner reads the stored policy: at 08:30 on Wednesday the new "2 days before" step is due.
    due = await due_reminders(db, at(26, 8, 30).astimezone(UTC))
    assert {d.dedupe_key.split(":")[2] for d in due} == {"d2"}
    assert await due_reminders(db, at(26, 7, 45).astimezone(UTC)) == []  # before the new start
    view = await change_policy(db, coordinator, period.id, "defaults", now)
    assert view.policy == DEFAULT_POLICY and not view.customized
    async with db.session() as session:
        assert (await session.get(Period, period.id)).reminder_policy == {}


@pytest.mark.parametrize("choice", ["d:6", "o:9", "w:7", "s:09-00", "e:23-00", "x:1", "d:abc", "", "defaults:1"])
async def test_a_forged_policy_button_is_refused_and_changes_nothing(db, choice):
    period = await _campaign(db, DEADLINE)
    coordinator = await _coordinator(db)
    with pytest.raises(ServiceError) as refused:
        await change_policy(db, coordinator, period.id, choice, now=utcnow())
    assert refused.value.reason == "unknown_item"
    async with db.session() as session:
        assert (await session.get(Period, period.id)).reminder_policy == {}


async def test_the_last_sending_day_cannot_be_taken_away(db):
    period = await _campaign(db, DEADLINE)
    coordinator = await _coordinator(db)
    for day in (0, 1, 2, 3):
        await change_policy(db, coordinator, period.id, f"w:{day}", now=utcnow())
    with pytest.raises(ServiceError) as refused:
        await change_policy(db, coordinator, period.id, "w:4", now=utcnow())
    assert refused.value.reason == "no_weekday"
    assert (await policy_view(db, coordinator, period.id, now=utcnow())).policy["weekdays"] == [4]


async def test_only_coordinators_see_or_change_the_policy_and_only_of_an_open_period(db):
    period = await _campaign(db, DEADLINE)
    focal_point = await load_actor(db, 600)
    with pytest.raises(NotAllowed):
        await policy_view(db, focal_point, now=utcnow())
    with pytest.raises(NotAllowed):
        await change_policy(db, focal_point, period.id, "d:2", now=utcnow())
    coordinator = await _coordinator(db)
    with pytest.raises(ServiceError) as refused:
        await change_policy(db, coordinator, period.id + 99, "d:2", now=utcnow())  # a stale or forged period
    assert refused.value.reason == "period_not_open"
    await change_state(db, SYSTEM, period.id, "lock", now=utcnow())
    with pytest.raises(ServiceError) as refused:
        await policy_view(db, coordinator, now=utcnow())
    assert refused.value.reason == "no_period_to_remind"
