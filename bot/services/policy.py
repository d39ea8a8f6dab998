"""A period's reminder policy, set by a coordinator (defaults in bot.services.reminders)."""

from __future__ import annotations

from datetime import time
from typing import Any

from bot.services.errors import ServiceError
from bot.services.reminders import policy_of
from storage.db import Database
from storage.models import Period


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


async def set_policy(db: Database, period_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id, with_for_update=True)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        merged = {**(period.reminder_policy or {}), **changes}
        effective = policy_of(merged)
        if time.fromisoformat(effective["start"]) >= time.fromisoformat(effective["end"]):
            raise ServiceError("bad_policy", field="start")
        period.reminder_policy = merged
        return effective
