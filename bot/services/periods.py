"""Assessment periods: open, lock, unlock, publish, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from bot.campaign_calendar import local_date
from bot.services.errors import ServiceError
from bot.services.frameworks import publish_in
from storage.db import Database
from storage.models import FrameworkVersion, Period
from storage.queries import latest_framework_version

TRANSITIONS = {
    "lock": ({"open"}, "locked"),
    "unlock": ({"locked"}, "open"),
    "publish": ({"open", "locked"}, "published"),
}


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
    framework_ref: str,
    year: int,
    deadline: date,
    title: str | None = None,
    dirs: list[Path] | None = None,
    state: str = "open",
) -> PeriodInfo:
    """Open a period on the newest published version of a framework (publishing the file if needed)."""
    async with db.session() as session, session.begin():
        version = await latest_framework_version(session, framework_ref)
        if version is None:
            published = await publish_in(session, framework_ref, dirs)
            version = await session.get(FrameworkVersion, published.version_id)
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
        return _info(period, version)


async def change_state(db: Database, period_id: int, action: str) -> PeriodInfo:
    allowed, target = TRANSITIONS[action]
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id, with_for_update=True)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        if period.state not in allowed:
            raise ServiceError("bad_transition", period=period_id, state=period.state, action=action)
        period.state = target
        version = await session.get(FrameworkVersion, period.framework_version_id)
        return _info(period, version)


async def list_periods(db: Database) -> list[PeriodInfo]:
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
