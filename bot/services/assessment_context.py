"""Load, check and lock what a self-assessment use case works on: the unit, its period, the
framework, the unit's items and answers, and the person's conversation cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor, NotAllowed
from bot.services.assessment_views import PeriodRef
from bot.services.errors import ServiceError
from bot.services.frameworks import framework_by_hash, framework_of
from bot.services.periods import deadline_passed
from scoring import Framework, SubIndex, parse_answer
from scoring.methods import MinMax
from storage.models import Answer, Conversation, Evidence, FrameworkVersion, Period, Review, Unit

VISIBLE_STATES = ("open", "locked", "published")


class ReadOnly(ServiceError):
    """The period no longer takes changes; `why` is locked, published, deadline or draft."""

    reason = "read_only"


class NoPeriod(ServiceError):
    reason = "no_period"


class UnknownItem(ServiceError):
    reason = "unknown_item"


@dataclass
class Ctx:
    session: AsyncSession
    actor: Actor
    unit: Unit
    period: Period
    framework: Framework
    ref: PeriodRef
    items: list[SubIndex]  # what this unit answers, in framework order
    answers: dict[str, Answer]
    conversation: Conversation

    @property
    def cursor(self) -> dict[str, Any]:
        return self.conversation.cursor or {}

    def set_cursor(self, now: datetime, **values: Any) -> None:
        # A new dict: the JSON column notices reassignment, not in-place mutation.
        self.conversation.cursor = {"period": self.period.id, **values}
        self.conversation.unit_id = self.unit.id
        self.conversation.updated_at = now

    def item(self, code: str) -> SubIndex:
        for sub in self.items:
            if sub.code == code:
                return sub
        raise UnknownItem(code=code)

    def position(self, code: str) -> int:
        return next(n for n, s in enumerate(self.items) if s.code == code)

    def answered(self) -> int:
        return sum(1 for s in self.items if self.answers.get(s.code) is not None and self.answers[s.code].raw)

    def writable(self) -> None:
        if self.ref.read_only:
            raise ReadOnly(why=self.ref.read_only, deadline=self.period.deadline)


async def current_period(session: AsyncSession, unit: Unit) -> tuple[Period, Framework] | None:
    """The period a unit works in: the newest open one that covers its cohort, else the newest visible."""
    rows = (
        await session.execute(
            select(Period, FrameworkVersion.content_hash)
            .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
            .where(Period.state.in_(VISIBLE_STATES))
            .order_by(Period.id.desc())
        )
    ).all()
    candidates = []
    for period, content_hash in rows:
        framework = await framework_by_hash(session, period.framework_version_id, content_hash)
        cohorts = {c.code for c in framework.ranking.cohorts}
        if not cohorts or unit.cohort in cohorts:
            candidates.append((period, framework))
    open_ones = [c for c in candidates if c[0].state == "open"]
    return (open_ones or candidates or [None])[0]


def read_only_reason(period: Period, now: datetime) -> str | None:
    if period.state != "open":
        return period.state
    if deadline_passed(period.deadline, now):
        return "deadline"
    return None


async def load_ctx(
    session: AsyncSession, actor: Actor, unit_id: int | None, period_id: int | None, now: datetime
) -> Ctx:
    """Everything a focal point's use case needs, checked: the person answers for this unit."""
    role = actor.unit if unit_id is None else next((r for r in actor.units() if r.unit_id == unit_id), None)
    if role is None or not actor.has("focal_point", role.unit_id):
        raise NotAllowed(unit=unit_id)
    unit = await session.get(Unit, role.unit_id)
    if period_id is None:
        found = await current_period(session, unit)
        if found is None:
            raise NoPeriod()
        period, framework = found
    else:
        period = await session.get(Period, period_id)
        if period is None or period.state not in VISIBLE_STATES:
            raise NotAllowed(period=period_id)
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
    cohorts = {c.code for c in framework.ranking.cohorts}
    if cohorts and unit.cohort not in cohorts:
        raise NotAllowed(period=period.id)
    items = [s for s in framework.sub_indices if s.method.kind != "external" and s.applies_to(unit.attributes or {})]
    answers = {
        a.sub_index_code: a
        for a in (
            await session.execute(select(Answer).where(Answer.period_id == period.id, Answer.unit_id == unit.id))
        ).scalars()
    }
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    if conversation is None:
        conversation = Conversation(person_id=actor.person_id, unit_id=unit.id, cursor={})
        session.add(conversation)
    ref = PeriodRef(unit.id, unit.name, period.id, period.title, period.deadline, read_only_reason(period, now))
    return Ctx(session, actor, unit, period, framework, ref, items, answers, conversation)


async def evidence_of(session: AsyncSession, answer_id: int | None) -> list[Evidence]:
    if answer_id is None:
        return []
    query = select(Evidence).where(Evidence.answer_id == answer_id).order_by(Evidence.id)
    return list((await session.execute(query)).scalars())


async def evidence_counts(session: AsyncSession, answer_ids: list[int]) -> dict[int, int]:
    if not answer_ids:
        return {}
    rows = await session.execute(
        select(Evidence.answer_id, func.count()).where(Evidence.answer_id.in_(answer_ids)).group_by(Evidence.answer_id)
    )
    return {answer_id: count for answer_id, count in rows}


async def latest_comment(session: AsyncSession, answer_id: int) -> str:
    query = (
        select(Review.comment)
        .where(Review.answer_id == answer_id, Review.decision == "needs_supplement")
        .order_by(Review.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none() or ""


async def item_points(ctx: Ctx, sub: SubIndex, answer: Answer | None) -> tuple[Decimal | None, bool]:
    """Points the item earns now; min-max items against the values the cohort has given so far."""
    if answer is None or answer.raw is None:
        return (answer.verified_points if answer else None), False
    if answer.verified_points is not None:
        return answer.verified_points, False
    if not isinstance(sub.method, MinMax):
        return answer.self_points, False
    peers = await ctx.session.execute(
        select(Answer.raw)
        .join(Unit, Unit.id == Answer.unit_id)
        .where(Answer.period_id == ctx.period.id, Answer.sub_index_code == sub.code, Unit.cohort == ctx.unit.cohort)
    )
    values = [parse_answer(sub, raw)["value"] for (raw,) in peers if raw]
    cohort_size = (
        await ctx.session.execute(select(func.count()).select_from(Unit).where(Unit.cohort == ctx.unit.cohort))
    ).scalar_one()
    mine = parse_answer(sub, answer.raw)["value"]
    points = sub.method.relative_points(mine, min(values), max(values), sub.max_points)
    return points, len(values) < cohort_size
