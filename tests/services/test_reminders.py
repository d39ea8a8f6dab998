"""Reminders: the right local days and hours, only units behind, never queued twice."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.clock import Clock
from bot.scheduler import Jobs
from bot.services.answers import write_answer
from bot.services.frameworks import framework_of
from bot.services.invites import create_invites, redeem_invite
from bot.services.periods import open_period
from bot.services.reminders import DEFAULT_POLICY, due_reminders, reminder_step, working_days_between
from bot.services.units_import import import_units
from storage.models import FrameworkVersion, Outbox, Period, Unit

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


def test_a_coordinator_can_change_the_policy():
    policy = {**DEFAULT_POLICY, "days_before": [2], "start": "13:00"}
    assert reminder_step(policy, DEADLINE, at(26, 13)) == "d2"
    assert reminder_step(policy, DEADLINE, at(26, 12)) is None


async def _campaign(db, deadline):
    await import_units(
        db, "code,name,cohort,has_public_services\nA,Sở A,so-nganh,có\nB,Sở B,so-nganh,có\n".encode(), "u.csv"
    )
    period = await open_period(db, "dongthap-1397-so", 2025, deadline)
    for n, unit in enumerate(("A", "B")):
        [invite] = await create_invites(db, "focal_point", unit)
        await redeem_invite(db, invite.code, telegram_id=600 + n, full_name=f"Người {unit}")
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
            answer, _ = await write_answer(
                session, period_id=period_id, unit_id=unit.id, sub=sub, raw=raw, person_id=None, now=datetime.now(UTC)
            )
            answer.status = "submitted"


async def test_only_units_that_are_behind_are_reminded_with_their_figures(db):
    period = await _campaign(db, DEADLINE)
    await _complete(db, period.id, "A")
    due = await due_reminders(db, at(25, 9).astimezone(UTC))
    assert [(d.unit_name, d.missing, d.total, d.days_left) for d in due] == [("Sở B", 20, 20, 3)]
    assert due[0].dedupe_key == f"reminder:{period.id}:d3:{due[0].person_id}"


async def test_planning_the_same_step_twice_or_after_a_restart_queues_each_reminder_once(db):
    await _campaign(db, DEADLINE)
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
    assert rows[0].payload["rows"][0][0]["action"] == "mnu|0|0||assess"
    clock.offset = at(27, 9).astimezone(UTC) - datetime.now(UTC)
    assert await first.plan_reminders() == 2  # the next step is a new reminder
    async with db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Outbox))).scalar_one() == 4
