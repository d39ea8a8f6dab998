"""Every appraisal decision reaches the unit, grouped: one message per unit per appraisal round, not
one per item. A decision is recorded with `Review.notified_at = NULL`; a round is what a unit has
not been told yet. The scheduler sends a unit its round once no decision on it came for `QUIET`
(an appraiser still working on the unit is not interrupted by partial notices), and an appraiser
sends it at once with "📨 Gửi kết quả cho đơn vị" when they finish the unit.

Planning is one transaction: the round's decisions are marked notified and one outbox row per focal
point is queued under a dedupe key naming the round's last decision, so planning twice — or two
schedulers at once — queues the message once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor
from bot.services.appraisal.domain import period_framework
from bot.services.campaign.outbox import NewMessage, enqueue_in
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from scoring import SubIndex
from scoring.states import ReviewDecision
from storage.db import Database
from storage.models import Answer, Membership, Period, Person, Review, Unit

logger = logging.getLogger(__name__)

QUIET = timedelta(minutes=30)  # a unit's round goes out once no decision on it came for this long
KIND = "appraisal"


@dataclass(frozen=True)
class Decision:
    answer_id: int
    sub: SubIndex
    decision: str  # accept, correct, needs_supplement
    self_points: Decimal | None
    points: Decimal | None  # verified points (accept, correct)
    comment: str


@dataclass(frozen=True)
class UnitRound:
    """The decisions on one unit's items the unit has not been told yet (the newest per item)."""

    unit_id: int
    unit_name: str
    period_id: int
    period_title: str
    supplement_deadline: date | None
    decisions: tuple[Decision, ...]
    last_review_id: int


RenderRound = Callable[[UnitRound], dict[str, Any]]


async def _rounds(
    session: AsyncSession, now: datetime, quiet: timedelta, unit_id: int | None
) -> tuple[list[UnitRound], list[Review]]:
    query = (
        select(Review, Answer)
        .join(Answer, Answer.id == Review.answer_id)
        .where(Review.notified_at.is_(None))
        .order_by(Review.id)
        .with_for_update(of=Review)
    )
    if unit_id is not None:
        query = query.where(Answer.unit_id == unit_id)
    groups: dict[tuple[int, int], list[tuple[Review, Answer]]] = {}
    for review, answer in (await session.execute(query)).all():
        groups.setdefault((answer.period_id, answer.unit_id), []).append((review, answer))
    rounds: list[UnitRound] = []
    marked: list[Review] = []
    for (period_id, uid), rows in groups.items():
        if unit_id is None and max(r.created_at for r, _a in rows) > now - quiet:
            continue  # still being appraised: wait for the round to settle
        period = await session.get(Period, period_id)
        unit = await session.get(Unit, uid)
        framework = await period_framework(session, period)
        newest: dict[int, tuple[Review, Answer]] = {}
        for review, answer in rows:
            newest[answer.id] = (review, answer)
        decisions = tuple(
            sorted(
                (
                    Decision(
                        answer.id,
                        framework.sub_index(answer.sub_index_code),
                        review.decision,
                        answer.self_points,
                        review.points,
                        review.comment,
                    )
                    for review, answer in newest.values()
                    if framework.has_sub_index(answer.sub_index_code)
                ),
                key=lambda d: d.sub.position,
            )
        )
        marked += [r for r, _a in rows]
        if decisions:
            rounds.append(
                UnitRound(
                    uid,
                    unit.name,
                    period.id,
                    period.title,
                    period.supplement_deadline,
                    decisions,
                    max(r.id for r, _a in rows),
                )
            )
    return rounds, marked


async def _focal_points(session: AsyncSession, unit_id: int) -> list[tuple[int, int]]:
    return list(
        (
            await session.execute(
                select(Person.id, Person.telegram_id)
                .join(Membership, Membership.person_id == Person.id)
                .where(
                    Membership.unit_id == unit_id,
                    Membership.role == "focal_point",
                    Membership.active.is_(True),
                    Person.telegram_id.is_not(None),
                )
                .order_by(Person.id)
            )
        ).all()
    )


async def _plan(
    session: AsyncSession, render: RenderRound, now: datetime, quiet: timedelta, unit_id: int | None
) -> tuple[list[UnitRound], list[Review], int]:
    rounds, marked = await _rounds(session, now, quiet, unit_id)
    messages: list[NewMessage] = []
    for one in rounds:
        payload = render(one)
        messages += [
            NewMessage(
                f"appraisal:{one.period_id}:{one.unit_id}:{one.last_review_id}:{person_id}",
                chat_id,
                payload,
                person_id,
                KIND,
                f"appraisal:{one.period_id}",
            )
            for person_id, chat_id in await _focal_points(session, one.unit_id)
        ]
    for review in marked:
        review.notified_at = now
    added = await enqueue_in(session, messages, now)
    return rounds, marked, added


async def plan_notices(db: Database, render: RenderRound, *, now: datetime, quiet: timedelta = QUIET) -> int:
    """The scheduler's job: queue one message per settled round; returns the messages queued."""
    async with db.session() as session, session.begin():
        rounds, _marked, added = await _plan(session, render, now, quiet, None)
    if rounds:
        logger.info("appraisal results: %s units, %s messages queued", len(rounds), added)
    return added


@dataclass(frozen=True)
class Sent:
    unit_name: str
    decisions: int
    recipients: int


async def send_to_unit(db: Database, actor: Actor, unit_id: int, render: RenderRound, *, now: datetime) -> Sent:
    """ "📨 Gửi kết quả cho đơn vị": the unit's round goes out now, as one message."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise ServiceError("unknown_item")
        rounds, marked, added = await _plan(session, render, now, QUIET, unit_id)
        if not marked:
            raise ServiceError("nothing_to_send", unit=unit.name)
        decisions = sum(len(r.decisions) for r in rounds)
        return Sent(unit.name, decisions, added)


def sent_back(one: UnitRound) -> tuple[Decision, ...]:
    return tuple(d for d in one.decisions if d.decision == ReviewDecision.NEEDS_SUPPLEMENT)
