"""Leaders' weekly digest (opt-in): Monday 08:00, the unit's progress and provisional rank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from bot.campaign_calendar import TIMEZONE
from bot.services.access import Actor
from bot.services.campaign.periods import open_periods
from bot.services.campaign.progress import period_progress
from bot.services.permissions import Action
from bot.services.results.scores import load_period_scores
from storage.db import Database
from storage.models import Person


@dataclass(frozen=True)
class Digest:
    dedupe_key: str
    person_id: int
    chat_id: int
    unit_name: str
    answered: int
    total: int
    rank: int | None
    ranked: int
    cohort_name: str
    points: Decimal
    max_points: Decimal


async def toggle_digest(db: Database, actor: Actor) -> bool:
    """Switch the leader's Monday digest on or off; returns the new setting."""
    actor.require(Action.DIGEST)
    async with db.session() as session, session.begin():
        person = await session.get(Person, actor.person_id, with_for_update=True)
        person.weekly_digest = not person.weekly_digest
        return person.weekly_digest


async def digest_enabled(db: Database, actor: Actor) -> bool:
    """Whether the leader receives the Monday digest."""
    async with db.read_session() as session:
        return bool((await session.get(Person, actor.person_id)).weekly_digest)


async def due_digests(db: Database, now: datetime) -> list[Digest]:
    """The Monday digests leaders receive this week: their unit's progress and provisional rank."""
    week = now.astimezone(TIMEZONE).strftime("%G-W%V")
    out: list[Digest] = []
    async with db.read_session() as session:
        subscribed = set((await session.execute(select(Person.id).where(Person.weekly_digest.is_(True)))).scalars())
        if not subscribed:
            return []
        for period in await open_periods(session):
            _framework, units = await period_progress(session, period)
            scores = await load_period_scores(session, period.id)
            for unit in units:
                cohort = scores.cohort_of(unit.code)
                entry = cohort.entry(unit.code) if cohort else None
                for leader in unit.leaders:
                    if leader.person_id not in subscribed or not leader.reachable or entry is None:
                        continue
                    out.append(
                        Digest(
                            f"digest:{period.id}:{week}:{leader.person_id}",
                            leader.person_id,
                            leader.chat_id,
                            unit.name,
                            unit.answered,
                            unit.total,
                            entry.rank,
                            len(cohort.ranked),
                            cohort.name,
                            entry.result.points,
                            entry.result.max_points,
                        )
                    )
    return out
