"""Deadline reminders: which focal points to remind now, under each period's policy.

Defaults (a coordinator may change any of them per period): 7, 3 and 1 days before the deadline
and on the day, then every 2 working days while overdue; only units that are behind; only in
working hours (07:30–17:30, Monday to Friday, Asia/Ho_Chi_Minh) of working days. A step that falls
on a weekend or a public holiday (Tết included) comes on the working day before it, never dropped;
two steps that land on the same day send the nearer one. A step is identified by its name ("d3",
"late4") in the dedupe key, so it is queued once per person whatever the restarts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from bot.campaign_calendar import TIMEZONE as VN
from bot.campaign_calendar import is_working_day, local_date, working_day_on_or_before, working_days_between
from bot.services.access import Actor
from bot.services.campaign.outbox import NewMessage, enqueue_in
from bot.services.campaign.periods import open_periods
from bot.services.campaign.progress import Contact, UnitProgress, nudge_batch, period_progress
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from storage.db import Database
from storage.models import Outbox, Period

DEFAULT_POLICY: dict[str, Any] = {
    "days_before": [7, 3, 1, 0],
    "overdue_every_working_days": 2,
    "start": "07:30",
    "end": "17:30",
    "weekdays": [0, 1, 2, 3, 4],
}


@dataclass(frozen=True)
class DueReminder:
    dedupe_key: str
    person_id: int
    chat_id: int
    unit_name: str
    period_id: int
    missing: int
    total: int
    answered: int
    submitted: int
    deadline: date
    days_left: int  # negative when overdue
    unit_id: int = 0
    by_coordinator: bool = False  # a coordinator pressed "🔔" for this unit (not the policy's step)


def policy_of(stored: dict[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULT_POLICY, **(stored or {})}


def reminder_step(policy: dict[str, Any], deadline: date, now: datetime) -> str | None:
    """The policy step due at `now` (local working hours only), or None."""
    local = now.astimezone(VN)
    start, end = (time.fromisoformat(policy[k]) for k in ("start", "end"))
    if not is_working_day(local.date(), policy["weekdays"]) or not start <= local.time() < end:
        return None
    days_left = (deadline - local.date()).days
    landing = [
        before
        for before in policy["days_before"]
        if working_day_on_or_before(deadline - timedelta(days=before), policy["weekdays"]) == local.date()
    ]
    if landing:
        return f"d{min(landing)}"
    if days_left < 0:
        late = working_days_between(deadline, local.date(), policy["weekdays"])
        every = int(policy["overdue_every_working_days"])
        if every > 0 and late > 0 and late % every == 0:
            return f"late{late}"
    return None


def next_reminder(
    policy: dict[str, Any], deadline: date, now: datetime, horizon_days: int = 120
) -> tuple[datetime, str] | None:
    """The first moment from `now` at which a step of the policy is due, and that step."""
    local = now.astimezone(VN)
    start, end = (time.fromisoformat(policy[k]) for k in ("start", "end"))
    for n in range(horizon_days + 1):
        at = datetime.combine(local.date() + timedelta(days=n), start, tzinfo=VN)
        if n == 0 and local > at:
            if local.time() >= end:
                continue
            at = local
        step = reminder_step(policy, deadline, at)
        if step is not None:
            return at, step
    return None


async def due_reminders(db: Database, now: datetime) -> list[DueReminder]:
    """The reminders focal points and leaders of units still behind receive now, by the period's policy."""
    due: list[DueReminder] = []
    async with db.read_session() as session:
        for period in await open_periods(session):
            step = reminder_step(policy_of(period.reminder_policy), period.deadline, now)
            if step is None:
                continue
            _framework, units = await period_progress(session, period)
            days_left = (period.deadline - now.astimezone(VN).date()).days
            for unit in units:
                if not unit.behind:
                    continue
                for person in unit.focal_points:
                    if not person.reachable:
                        continue
                    due.append(_due(f"reminder:{period.id}:{step}:{person.person_id}", person, unit, period, days_left))
    return due


def _due(
    key: str, person: Contact, unit: UnitProgress, period: Period, days_left: int, by_coordinator: bool = False
) -> DueReminder:
    return DueReminder(
        key,
        person.person_id,
        person.chat_id,
        unit.name,
        period.id,
        unit.missing,
        unit.total,
        unit.answered,
        unit.submitted,
        period.deadline,
        days_left,
        unit.unit_id,
        by_coordinator,
    )


@dataclass(frozen=True)
class Nudged:
    """What "🔔 Remind this unit" did: sent (to `recipients` focal points), already (reminded today),
    nobody (no focal point the bot can reach) or done (the unit has submitted)."""

    unit_name: str
    outcome: str
    recipients: int = 0


async def remind_unit(
    db: Database,
    actor: Actor,
    period_id: int,
    unit_id: int,
    render: Callable[[DueReminder], dict[str, Any]],
    *,
    now: datetime,
) -> Nudged:
    """A coordinator reminds one late unit's focal points now, through the outbox: once per unit per
    campaign day (the batch and the dedupe keys carry the day), whoever presses and however often.
    `render(reminder)` gives the stored message."""
    actor.require(Action.BROADCAST)
    day = local_date(now)
    batch = nudge_batch(period_id, unit_id, day)
    async with db.session() as session, session.begin():
        period = next((p for p in await open_periods(session) if p.id == period_id), None)
        if period is None:
            raise ServiceError("unknown_item")  # a button of a period no longer open, or forged
        _framework, units = await period_progress(session, period)
        unit = next((u for u in units if u.unit_id == unit_id), None)
        if unit is None:
            raise ServiceError("unknown_item")
        if not unit.behind:
            return Nudged(unit.name, "done")
        if (await session.execute(select(Outbox.id).where(Outbox.batch == batch).limit(1))).first():
            return Nudged(unit.name, "already")
        people = [p for p in unit.focal_points if p.reachable]
        if not people:
            return Nudged(unit.name, "nobody")
        days_left = (period.deadline - day).days
        reminders = [_due(f"{batch}:{p.person_id}", p, unit, period, days_left, True) for p in people]
        added = await enqueue_in(
            session,
            [NewMessage(r.dedupe_key, r.chat_id, render(r), r.person_id, "reminder", batch) for r in reminders],
            now,
        )
    return Nudged(unit.name, "sent" if added else "already", added)
