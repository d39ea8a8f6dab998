"""What a leader asks: "what is my rank?", "which items are weakest?", "where do we stand?".

Everything is computed by `scoring` from stored data (verified points where reviewed, self points
otherwise, published values where imported); nothing is cached that could drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from bot.services.access import Actor, NotAllowed
from bot.services.assessment.context import NoPeriod
from bot.services.campaign.periods import current_period
from bot.services.permissions import Action
from bot.services.results.scores import PeriodScores, load_period_scores
from scoring import CohortResult, RankedUnit, compare_periods, weakest_sub_indices
from scoring.analysis import Change, WhatIf, what_if
from storage.db import Database
from storage.models import Answer, Evidence, Period, Unit


@dataclass(frozen=True)
class Standing:
    unit_code: str
    unit_name: str
    period_title: str
    framework_total: Decimal
    cohort: CohortResult
    entry: RankedUnit
    change: Change | None
    previous_title: str
    provisional: bool
    pending_reviews: int
    show_peer_names: bool
    index_names: dict[str, str]
    places_points: int
    places_value: int
    unreadable: tuple[str, ...] = ()  # items whose stored answer cannot be read: left out, count as 0


@dataclass(frozen=True)
class WeakItem:
    code: str
    name: str
    points: Decimal
    max_points: Decimal
    reason: str  # unanswered, awaiting_coordinator, sent_back, missing_evidence, partial, zero


@dataclass(frozen=True)
class Weakest:
    standing: Standing
    items: tuple[WeakItem, ...]
    fix: WhatIf | None


async def _unit_for(session, actor: Actor, unit_id: int | None) -> Unit:  # type: ignore[no-untyped-def]
    role = actor.unit if unit_id is None else next((r for r in actor.units() if r.unit_id == unit_id), None)
    actor.require(Action.VIEW_RESULTS, role.unit_id if role else unit_id)
    if role is None:  # a campaign-wide role: no unit of its own to show
        raise NotAllowed(unit=unit_id)
    return await session.get(Unit, role.unit_id)


async def _current(session, actor: Actor, unit_id: int | None) -> tuple[Unit, Period, PeriodScores]:  # type: ignore[no-untyped-def]
    """The person's unit, its current period and that period's scores."""
    unit = await _unit_for(session, actor, unit_id)
    found = await current_period(session, unit)
    if found is None:
        raise NoPeriod()
    period, _framework = found
    return unit, period, await load_period_scores(session, period.id)


async def standing(db: Database, actor: Actor, show_peer_names: bool = True, unit_id: int | None = None) -> Standing:
    """The leader sees the unit's points, provisional rank in its cohort and the cohort's figures."""
    async with db.read_session() as session:
        unit, period, scores = await _current(session, actor, unit_id)
        return await _standing(session, unit, period, scores, show_peer_names)


async def _standing(session, unit: Unit, period: Period, scores: PeriodScores, peers: bool) -> Standing:  # type: ignore[no-untyped-def]
    cohort = scores.cohort_of(unit.code)
    if cohort is None:
        raise NoPeriod()
    entry = cohort.entry(unit.code)
    change, previous_title = None, ""
    if period.previous_period_id is not None:
        before = await load_period_scores(session, period.previous_period_id)
        previous_cohort = before.cohort_of(unit.code)
        if previous_cohort is not None:
            change = compare_periods(entry, previous_cohort.entry(unit.code))
            previous_title = str(before.period.year)
    pending = (
        await session.execute(
            select(Answer.id).where(
                Answer.period_id == period.id,
                Answer.unit_id == unit.id,
                Answer.status.in_(("submitted", "needs_supplement")),
            )
        )
    ).all()
    fw = scores.framework
    return Standing(
        unit.code,
        unit.name,
        period.title,
        fw.total_points,
        cohort,
        entry,
        change,
        previous_title,
        provisional=period.state != "published" or entry.result.provisional,
        pending_reviews=len(pending),
        show_peer_names=peers,
        index_names={i.code: i.name for i in fw.indices},
        places_points=fw.rounding.points,
        places_value=fw.rounding.value,
        unreadable=scores.unreadable.get(unit.id, ()),
    )


async def weakest(db: Database, actor: Actor, limit: int = 8, show_peer_names: bool = True) -> Weakest:
    """The leader sees the items where the unit loses the most points."""
    async with db.read_session() as session:
        unit, period, scores = await _current(session, actor, None)
        view = await _standing(session, unit, period, scores, show_peer_names)
        answers = {
            a.sub_index_code: a
            for a in (
                await session.execute(select(Answer).where(Answer.period_id == period.id, Answer.unit_id == unit.id))
            ).scalars()
        }
        with_evidence = {
            aid
            for (aid,) in await session.execute(
                select(Evidence.answer_id).where(Evidence.answer_id.in_([a.id for a in answers.values()]))
            )
        }
    fw = scores.framework
    items = []
    for sub in weakest_sub_indices(view.entry.result.subs.values(), limit=limit):
        definition, answer = fw.sub_index(sub.code), answers.get(sub.code)
        if sub.status == "unanswered":
            reason = "awaiting_coordinator" if definition.method.kind == "external" else "unanswered"
        elif answer is not None and answer.status == "needs_supplement":
            reason = "sent_back"
        elif definition.evidence.required and answer is not None and answer.id not in with_evidence:
            reason = "missing_evidence"
        else:
            reason = "zero" if sub.points == 0 else "partial"
        items.append(WeakItem(sub.code, definition.name, sub.points, sub.max_points, reason))
    fix = what_if(fw, view.cohort, unit.code, [i.code for i in items[:3]]) if items else None
    return Weakest(view, tuple(items), fix)
