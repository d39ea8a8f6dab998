"""A period's reminder policy, set by a coordinator from the CLI or in the chat (defaults in
bot.services.campaign.reminders)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from bot.services.access import Actor
from bot.services.campaign.periods import open_periods
from bot.services.campaign.reminders import next_reminder, policy_of
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from storage.db import Database
from storage.models import Period

logger = logging.getLogger(__name__)

# What the chat offers as buttons; the CLI accepts any valid value.
DAY_CHOICES = (14, 7, 5, 3, 2, 1, 0)
OVERDUE_CHOICES = (0, 1, 2, 3, 5)
START_CHOICES = ("07:00", "07:30", "08:00")
END_CHOICES = ("16:30", "17:00", "17:30")


@dataclass(frozen=True)
class PolicyView:
    period_id: int
    title: str
    deadline: date
    policy: dict[str, Any]  # effective: defaults + what was set
    customized: bool
    next_at: datetime | None  # the next moment a reminder step is due (UTC)
    next_step: str | None
    others: tuple[tuple[int, str], ...]  # other open periods: (id, title)


def checked_policy(
    days_before: list[int] | None = None,
    overdue_every: int | None = None,
    start: str | None = None,
    end: str | None = None,
    weekdays: list[int] | None = None,
) -> dict[str, Any]:
    """Only the fields given, validated (a bad value is refused, never half-applied)."""
    policy: dict[str, Any] = {}
    if days_before is not None:
        if any(d < 0 or d > 60 for d in days_before):
            raise ServiceError("bad_policy", field="days_before")
        policy["days_before"] = sorted(set(days_before), reverse=True)
    if overdue_every is not None:
        if not 0 <= overdue_every <= 20:
            raise ServiceError("bad_policy", field="overdue_every")
        policy["overdue_every_working_days"] = overdue_every
    for key, value in (("start", start), ("end", end)):
        if value is not None:
            try:
                time.fromisoformat(value)
            except ValueError as exc:
                raise ServiceError("bad_policy", field=key) from exc
            policy[key] = value
    if weekdays is not None:
        if not weekdays or any(d < 0 or d > 6 for d in weekdays):
            raise ServiceError("bad_policy", field="weekdays")
        policy["weekdays"] = sorted(set(weekdays))
    return policy


async def set_policy(db: Database, actor: Actor, period_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """The coordinator changes when a period's reminders go out and sees the policy now in force."""
    actor.require(Action.SET_REMINDERS)
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id, with_for_update=True)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        return _apply(period, changes)


def _apply(period: Period, changes: dict[str, Any], replace: bool = False) -> dict[str, Any]:
    merged = dict(changes) if replace else {**(period.reminder_policy or {}), **changes}
    effective = policy_of(merged)
    if time.fromisoformat(effective["start"]) >= time.fromisoformat(effective["end"]):
        raise ServiceError("bad_policy", field="start")
    period.reminder_policy = merged
    return effective


async def _open_period(session: Any, period_id: int | None) -> tuple[Period, list[Period]]:
    periods = await open_periods(session)
    if not periods:
        raise ServiceError("no_period_to_remind")
    if period_id is None:
        return periods[-1], periods
    period = next((p for p in periods if p.id == period_id), None)
    if period is None:  # stale or forged button: that period is not open (any more)
        raise ServiceError("period_not_open", period=period_id)
    return period, periods


def _view(period: Period, periods: list[Period], now: datetime) -> PolicyView:
    policy = policy_of(period.reminder_policy)
    step = next_reminder(policy, period.deadline, now)
    return PolicyView(
        period.id,
        period.title,
        period.deadline,
        policy,
        bool(period.reminder_policy),
        step[0] if step else None,
        step[1] if step else None,
        tuple((p.id, p.title) for p in periods if p.id != period.id),
    )


async def policy_view(db: Database, actor: Actor, period_id: int | None = None, *, now: datetime) -> PolicyView:
    """The reminder policy of an open period (the newest by default), for a coordinator."""
    actor.require(Action.SET_REMINDERS)
    async with db.read_session() as session:
        period, periods = await _open_period(session, period_id)
        return _view(period, periods, now)


def change_for(choice: str, policy: dict[str, Any]) -> dict[str, Any] | None:
    """What a button of the chat editor changes, from the effective policy; None for "defaults".
    `choice` comes from button data: anything not offered by the editor is refused."""
    kind, _sep, value = choice.partition(":")
    try:
        if kind == "d" and int(value) in DAY_CHOICES:
            days = set(policy["days_before"]) ^ {int(value)}
            return {"days_before": sorted(days, reverse=True)}
        if kind == "o" and int(value) in OVERDUE_CHOICES:
            return {"overdue_every_working_days": int(value)}
        if kind == "w" and 0 <= int(value) <= 6:
            weekdays = set(policy["weekdays"]) ^ {int(value)}
            if not weekdays:
                raise ServiceError("no_weekday")
            return {"weekdays": sorted(weekdays)}
    except ValueError:
        pass
    if kind == "s" and value.replace("-", ":") in START_CHOICES:
        return {"start": value.replace("-", ":")}
    if kind == "e" and value.replace("-", ":") in END_CHOICES:
        return {"end": value.replace("-", ":")}
    if choice == "defaults":
        return None
    raise ServiceError("unknown_item")


async def change_policy(db: Database, actor: Actor, period_id: int, choice: str, now: datetime) -> PolicyView:
    """Apply one button of the chat editor to an open period's policy, in one transaction."""
    actor.require(Action.SET_REMINDERS)
    async with db.session() as session, session.begin():
        period, periods = await _open_period(session, period_id)
        await session.refresh(period, with_for_update=True)
        changes = change_for(choice, policy_of(period.reminder_policy))
        _apply(period, changes or {}, replace=changes is None)
        logger.info("person %s changed the reminder policy of period %s (%s)", actor.person_id, period.id, choice)
        return _view(period, periods, now)
