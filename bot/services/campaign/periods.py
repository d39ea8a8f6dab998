"""Assessment periods: open, lock, unlock, publish (and take back), move the deadline, list.

The yearly cycle is open → locked → published. What steps outside it (publishing a period still
open, taking published results back, a second period for the same framework and year, a new
deadline) is written to `period_change` with the reason given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_calendar import local_date
from bot.services.access import Actor
from bot.services.admin.frameworks import framework_by_hash, publish_in
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from scoring import Framework
from scoring.states import VISIBLE_PERIOD_STATES, PeriodState
from storage.db import Database
from storage.models import FrameworkVersion, Period, PeriodChange, Unit
from storage.queries import latest_framework_version

TRANSITIONS = {
    "lock": ({"open"}, "locked"),
    "unlock": ({"locked"}, "open"),
    "publish": ({"open", "locked"}, "published"),
    "unpublish": ({"published"}, "locked"),
}
REASON_MAX = 1000


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    framework: str
    year: int
    title: str
    state: str
    deadline: date
    opens_at: datetime

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "framework": self.framework,
            "year": self.year,
            "title": self.title,
            "state": self.state,
            "deadline": self.deadline.isoformat(),
        }


def _info(period: Period, version: FrameworkVersion) -> PeriodInfo:
    return PeriodInfo(
        period.id, version.framework_id, period.year, period.title, period.state, period.deadline, period.opens_at
    )


async def open_period(
    db: Database,
    actor: Actor,
    framework_ref: str,
    year: int,
    deadline: date,
    title: str | None = None,
    dirs: list[Path] | None = None,
    state: str = "open",
    again_reason: str | None = None,
) -> PeriodInfo:
    """Open a period on the newest published version of a framework (publishing the file if needed).
    A framework has one period a year: a second one is opened only with `again_reason`."""
    actor.require(Action.MANAGE_PERIODS)
    async with db.session() as session, session.begin():
        version = await latest_framework_version(session, framework_ref)
        if version is None:
            published = await publish_in(session, framework_ref, dirs)
            version = await session.get(FrameworkVersion, published.version_id)
        same_year = (
            await session.execute(
                select(Period.id)
                .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
                .where(Period.year == year, FrameworkVersion.framework_id == version.framework_id)
                .order_by(Period.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if same_year is not None and again_reason is None:
            raise ServiceError("period_exists", period=same_year, framework=version.framework_id, year=year)
        previous = (
            await session.execute(
                select(Period.id)
                .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
                .where(Period.year < year, FrameworkVersion.framework_id == version.framework_id)
                .order_by(Period.year.desc(), Period.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        period = Period(
            framework_version_id=version.id,
            year=year,
            title=title or f"{version.title} — {year}",
            deadline=deadline,
            state=state,
            previous_period_id=previous,
        )
        session.add(period)
        await session.flush()
        if same_year is not None:
            session.add(_change(period, "open_again", "", state, _checked_reason(again_reason)))
        return _info(period, version)


async def get_period(db: Database, period_id: int) -> PeriodInfo:
    """The operator sees one period: its framework, year, title, state and deadline."""
    async with db.read_session() as session:
        period = await session.get(Period, period_id)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        return _info(period, await session.get(FrameworkVersion, period.framework_version_id))


async def change_state(
    db: Database, actor: Actor, period_id: int, action: str, reason: str | None = None
) -> PeriodInfo:
    """One step of the cycle. Publishing and taking results back are recorded; taking them back
    needs a reason (people have seen the results)."""
    actor.require(Action.MANAGE_PERIODS)
    allowed, target = TRANSITIONS[action]
    if action == "unpublish":
        reason = _checked_reason(reason)
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id, with_for_update=True)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        if period.state not in allowed:
            raise ServiceError("bad_transition", period=period_id, state=period.state, action=action)
        if action in ("publish", "unpublish"):
            session.add(_change(period, action, period.state, target, reason or ""))
        period.state = target
        version = await session.get(FrameworkVersion, period.framework_version_id)
        return _info(period, version)


async def set_deadline(
    db: Database, actor: Actor, period_id: int, deadline: date, reason: str = ""
) -> tuple[date, PeriodInfo]:
    """Move the deadline of a period not yet published; returns the old deadline and the period.
    Reminders follow at once (they are planned from the deadline each time)."""
    actor.require(Action.MANAGE_PERIODS)
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id, with_for_update=True)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        if period.state not in ("draft", "open", "locked"):
            raise ServiceError("bad_transition", period=period_id, state=period.state, action="deadline")
        if deadline < local_date(period.opens_at):
            raise ServiceError("deadline_before_opening", deadline=deadline, opened=local_date(period.opens_at))
        old = period.deadline
        change = _change(period, "deadline", period.state, period.state, reason.strip()[:REASON_MAX])
        change.old_deadline, change.new_deadline = old, deadline
        session.add(change)
        period.deadline = deadline
        version = await session.get(FrameworkVersion, period.framework_version_id)
        return old, _info(period, version)


def _checked_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < 3:
        raise ServiceError("reason_required")
    return text[:REASON_MAX]


def _change(period: Period, action: str, from_state: str, to_state: str, reason: str) -> PeriodChange:
    assert period.id is not None
    return PeriodChange(
        period_id=period.id, action=action, from_state=from_state, to_state=to_state, reason=reason, via="cli"
    )


async def list_periods(db: Database) -> list[PeriodInfo]:
    """The operator sees every period, oldest first."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(Period, FrameworkVersion)
            .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
            .order_by(Period.id)
        )
        return [_info(p, v) for p, v in rows]


def deadline_passed(deadline: date, now: datetime) -> bool:
    """The deadline is the whole day in the province's time zone."""
    return local_date(now) > deadline


class _Stated(Protocol):
    state: str


P = TypeVar("P", bound=_Stated)


def pick_period(candidates: Sequence[tuple[P, Framework]], cohort: str) -> tuple[P, Framework] | None:
    """The period a unit works in: the newest open one that covers its cohort, else the newest
    visible one (candidates come newest first)."""
    covering = [c for c in candidates if not c[1].ranking.cohorts or cohort in {k.code for k in c[1].ranking.cohorts}]
    open_ones = [c for c in covering if c[0].state == PeriodState.OPEN]
    return (open_ones or covering or [None])[0]


async def current_period(session: AsyncSession, unit: Unit) -> tuple[Period, Framework] | None:
    """`pick_period` for the ORM's readers (progress, results)."""
    rows = (
        await session.execute(
            select(Period, FrameworkVersion.content_hash)
            .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
            .where(Period.state.in_(VISIBLE_PERIOD_STATES))
            .order_by(Period.id.desc())
        )
    ).all()
    candidates = [(p, await framework_by_hash(session, p.framework_version_id, h)) for p, h in rows]
    return pick_period(candidates, unit.cohort)


async def open_periods(session: AsyncSession) -> list[Period]:
    """The periods focal points answer in now, oldest first."""
    return list(
        (await session.execute(select(Period).where(Period.state == PeriodState.OPEN).order_by(Period.id))).scalars()
    )
