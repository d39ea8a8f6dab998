"""The appraisal council: its chair (a coordinator) follows the appraisal per appraiser and per unit
(waiting, decided), sees the items no appraiser covers, and closes the appraisal — the period moves
to provisional results (bot.services.campaign.periods.move_phase, audited there)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.campaign_calendar import local_date
from bot.services.access import Actor
from bot.services.appraisal.domain import Domain, Scope, current_appraisal, period_framework, person_domain
from bot.services.appraisal.review import queue_in
from bot.services.campaign.periods import MoveCheck, PhaseMove, ResultsNotice, check_move_in, move_phase
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from scoring.states import AnswerStatus
from storage.db import Database
from storage.models import Answer, Membership, Period, Person, Review, Unit


@dataclass(frozen=True)
class AppraiserProgress:
    person_id: int
    full_name: str
    scopes: tuple[Scope, ...]
    waiting: int  # items of their domain waiting
    decided: int  # items they decided in the period


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    unit_name: str
    waiting: int
    decided: int  # accepted (or corrected) and sent back
    sent_back: int


@dataclass(frozen=True)
class Council:
    period_id: int
    title: str
    state: str
    appraisers: tuple[AppraiserProgress, ...]
    units: tuple[UnitProgress, ...]  # units with anything to appraise or appraised, most waiting first
    waiting: int
    decided: int
    uncovered: int  # waiting items no appraiser's domain covers (only the chair can decide them)
    check: MoveCheck | None = None  # what is unfinished before closing (asked with `now`)


async def council_view(
    db: Database, actor: Actor, period_id: int | None = None, *, now: datetime | None = None
) -> Council:
    """The council chair sees the appraisal's progress per appraiser and per unit, and what no
    domain covers; with `now`, also what is unfinished before closing the appraisal (the supplement
    window still open, items waiting or sent back)."""
    actor.require(Action.COUNCIL)
    async with db.read_session() as session:
        if period_id is None:
            period = await current_appraisal(session)
        else:
            period = await session.get(Period, period_id)
            if period is None:
                raise ServiceError("unknown_period", period=period_id)
        everything = Domain(period.id, await period_framework(session, period), True, ())
        waiting = await queue_in(session, period, everything)
        found = (
            await session.execute(
                select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.role == "reviewer", Membership.active.is_(True))
                .order_by(Person.full_name, Person.id)
            )
        ).scalars()
        people = list({p.id: p for p in found}.values())
        decided_by = dict(
            (
                await session.execute(
                    select(Review.reviewer_id, func.count(func.distinct(Review.answer_id)))
                    .join(Answer, Answer.id == Review.answer_id)
                    .where(Answer.period_id == period.id)
                    .group_by(Review.reviewer_id)
                )
            ).all()
        )
        appraisers: list[AppraiserProgress] = []
        covered: set[int] = set()
        for person in people:
            domain = await person_domain(session, period, person.id)
            mine = await queue_in(session, period, domain)
            covered |= {e.answer_id for e in mine}
            appraisers.append(
                AppraiserProgress(person.id, person.full_name, domain.scopes, len(mine), decided_by.get(person.id, 0))
            )
        statuses = (
            await session.execute(
                select(Answer.unit_id, Answer.status, func.count())
                .where(
                    Answer.period_id == period.id,
                    Answer.status.in_([AnswerStatus.ACCEPTED.value, AnswerStatus.NEEDS_SUPPLEMENT.value]),
                )
                .group_by(Answer.unit_id, Answer.status)
            )
        ).all()
        by_unit: dict[int, dict[str, int]] = {}
        for entry in waiting:
            counts = by_unit.setdefault(entry.unit_id, {})
            counts["waiting"] = counts.get("waiting", 0) + 1
        for unit_id, status, count in statuses:
            by_unit.setdefault(unit_id, {})[status] = count
        names = dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(list(by_unit))))).all())
        units = tuple(
            sorted(
                (
                    UnitProgress(
                        uid,
                        names.get(uid, "?"),
                        c.get("waiting", 0),
                        c.get(AnswerStatus.ACCEPTED.value, 0) + c.get(AnswerStatus.NEEDS_SUPPLEMENT.value, 0),
                        c.get(AnswerStatus.NEEDS_SUPPLEMENT.value, 0),
                    )
                    for uid, c in by_unit.items()
                ),
                key=lambda u: (-u.waiting, u.unit_name),
            )
        )
        return Council(
            period.id,
            period.title,
            period.state,
            tuple(appraisers),
            units,
            len(waiting),
            sum(u.decided for u in units),
            sum(1 for e in waiting if e.answer_id not in covered),
            await check_move_in(session, period, "provisional", local_date(now)) if now is not None else None,
        )


async def close_appraisal(
    db: Database,
    actor: Actor,
    period_id: int,
    *,
    now: datetime,
    render: Callable[[ResultsNotice], dict] | None = None,
) -> PhaseMove:
    """The chair closes the appraisal: the period moves to provisional results (the phase move is
    the periods' use case, audited there; units are told their points and rank through `render`)."""
    actor.require(Action.COUNCIL)
    return await move_phase(db, actor, period_id, "provisional", via="chat", now=now, render=render)
