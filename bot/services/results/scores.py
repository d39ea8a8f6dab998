"""Score a period from the database: verified points where reviewed, self points otherwise,
published index values where imported. Everything a user sees is recomputed from stored data.

Min-max ranges are set by submitted values only (not drafts): a unit typing a draft never moves
another unit's points; its own draft is scored against the submitted peers (scoring.unit)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.admin.frameworks import framework_of
from bot.services.errors import ServiceError
from scoring import AnswerInput, CohortResult, Framework, UnitInput, score_all, score_unit
from scoring.cohort import expects_value, minmax_range, rank_results
from scoring.states import AnswerStatus
from scoring.unit import RelativeStats, read_stored
from storage.db import Database
from storage.models import Answer, Period, PublishedResult, Unit
from storage.queries import period_with_framework

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodScores:
    period: Period
    framework: Framework
    cohorts: dict[str, CohortResult]
    unreadable: dict[int, tuple[str, ...]] = field(default_factory=dict)  # unit id → items left out

    def cohort_of(self, unit_code: str) -> CohortResult | None:
        return next((c for c in self.cohorts.values() if unit_code in c), None)


async def load_period_scores(session: AsyncSession, period_id: int) -> PeriodScores:
    found = await period_with_framework(session, period_id)
    if found is None:
        raise ServiceError("unknown_period", period=period_id)
    period, version = found
    framework = framework_of(version)
    answers: dict[int, dict[str, AnswerInput]] = {}
    unreadable: dict[int, tuple[str, ...]] = {}
    rows = await session.execute(
        select(Answer.unit_id, Answer.sub_index_code, Answer.raw, Answer.verified_points, Answer.status).where(
            Answer.period_id == period_id
        )
    )
    for unit_id, code, raw, verified, status in rows:
        if not framework.has_sub_index(code):
            continue
        parsed = None
        if raw is not None:
            parsed = _stored(framework, raw, period_id, unit_id, code)
            if parsed is None:
                unreadable[unit_id] = (*unreadable.get(unit_id, ()), code)
        if parsed is not None or verified is not None:
            answers.setdefault(unit_id, {})[code] = AnswerInput(
                parsed, verified, status != AnswerStatus.DRAFT, status == AnswerStatus.ACCEPTED
            )
    published: dict[int, dict[str, Decimal]] = {}
    rows = await session.execute(
        select(PublishedResult.unit_id, PublishedResult.index_code, PublishedResult.value).where(
            PublishedResult.period_id == period_id
        )
    )
    for unit_id, index_code, value in rows:
        if framework.has_index(index_code):
            published.setdefault(unit_id, {})[index_code] = value
    units = await period_units(session, framework, set(answers) | set(published))
    inputs = [
        UnitInput(
            code=u.code,
            name=u.name,
            cohort=u.cohort,
            attributes=u.attributes or {},
            ranked=u.ranked,
            answers=answers.get(u.id, {}),
            index_values=published.get(u.id, {}),
        )
        for u in units
    ]
    return PeriodScores(period, framework, score_all(framework, inputs), unreadable)


def _stored(framework: Framework, raw: Any, period_id: int, unit_id: int, code: str) -> dict[str, Any] | None:
    """A stored answer read back, or None when it no longer fits its item (a framework edited under
    a period, a value stored before the bounds existed): such an answer is left out, and logged by
    item, never by value, rather than breaking the ranking."""
    parsed = read_stored(framework.sub_index(code), raw)
    if parsed is None:
        logger.warning("stored answer no longer fits: period=%s unit=%s item=%s", period_id, unit_id, code)
    return parsed


async def period_units(session: AsyncSession, framework: Framework, with_data: set[int]) -> list[Unit]:
    """The units a period covers: every active unit of the framework's cohorts (so a unit that has
    not answered still ranks, last), or — for a framework without cohorts — the units with data."""
    query = select(Unit).where(Unit.active.is_(True)).order_by(Unit.code)
    declared = [c.code for c in framework.ranking.cohorts]
    if declared:
        return list((await session.execute(query.where(Unit.cohort.in_(declared)))).scalars())
    return [u for u in (await session.execute(query)).scalars() if u.id in with_data]


async def period_scores(db: Database, period_id: int) -> PeriodScores:
    """Every unit of a period scored and ranked per cohort, from the stored answers."""
    async with db.read_session() as session:
        return await load_period_scores(session, period_id)


async def compact_period_scores(session: AsyncSession, period_id: int) -> PeriodScores:
    """The same rankings as `load_period_scores`, computed in two streaming passes so that memory
    does not grow with the number of answers (exports of national size): min-max ranges first,
    then each unit scored as its answers stream by, keeping only its totals."""
    found = await period_with_framework(session, period_id)
    if found is None:
        raise ServiceError("unknown_period", period=period_id)
    period, version = found
    framework = framework_of(version)
    published: dict[int, dict[str, Decimal]] = {}
    for unit_id, index_code, value in await session.execute(
        select(PublishedResult.unit_id, PublishedResult.index_code, PublishedResult.value).where(
            PublishedResult.period_id == period_id
        )
    ):
        if framework.has_index(index_code):
            published.setdefault(unit_id, {})[index_code] = value
    units = {
        u.id: u
        for u in await period_units(session, framework, set(published) | await _answering_units(session, period_id))
    }
    # Min-max ranges first, by the rule the full scoring uses (scoring.cohort.expects_value).
    relative_subs = [s for s in framework.sub_indices if s.method.relative]
    values: dict[tuple[str, str], list[Decimal]] = {}
    if relative_subs:
        for unit_id, code, raw in await session.execute(
            select(Answer.unit_id, Answer.sub_index_code, Answer.raw).where(
                Answer.period_id == period_id,
                Answer.sub_index_code.in_([s.code for s in relative_subs]),
                Answer.raw.is_not(None),
                Answer.status != AnswerStatus.DRAFT,  # a draft never moves another unit's points
            )
        ):
            unit = units.get(unit_id)
            if unit is None or not expects_value(
                framework.sub_index(code), unit.attributes or {}, published.get(unit_id, {})
            ):
                continue
            parsed = _stored(framework, raw, period_id, unit_id, code)
            if parsed is not None:
                values.setdefault((unit.cohort, code), []).append(parsed["value"])
    expected: dict[tuple[str, str], int] = {}
    relative: dict[str, dict[str, RelativeStats]] = {}
    for unit_id, unit in units.items():
        relative.setdefault(unit.cohort, {})
        for sub in relative_subs:
            if expects_value(sub, unit.attributes or {}, published.get(unit_id, {})):
                expected[(unit.cohort, sub.code)] = expected.get((unit.cohort, sub.code), 0) + 1
    for (cohort, code), given in values.items():
        found = minmax_range(given, expected[(cohort, code)])
        if found is not None:
            relative[cohort][code] = found
    results: dict[str, list] = {}
    current: int | None = None
    answers: dict[str, AnswerInput] = {}

    def finish(unit_id: int) -> None:
        unit = units[unit_id]
        result = score_unit(framework, _unit_input(unit, answers, published.get(unit_id, {})), relative[unit.cohort])
        # keep the totals only: the sub-results and the unit's parsed answers are what grows with size
        results.setdefault(unit.cohort, []).append(replace(result, subs={}, unit=replace(result.unit, answers={})))

    stream = await session.stream(
        select(Answer.unit_id, Answer.sub_index_code, Answer.raw, Answer.verified_points, Answer.status)
        .where(Answer.period_id == period_id)
        .order_by(Answer.unit_id)
        .execution_options(yield_per=5000)
    )
    async for unit_id, code, raw, verified, status in stream:
        if unit_id not in units or not framework.has_sub_index(code):
            continue
        if unit_id != current:
            if current is not None:
                finish(current)
            current, answers = unit_id, {}
        parsed = _stored(framework, raw, period_id, unit_id, code) if raw is not None else None
        if parsed is not None or verified is not None:
            answers[code] = AnswerInput(parsed, verified, status != AnswerStatus.DRAFT, status == AnswerStatus.ACCEPTED)
    if current is not None:
        finish(current)
    done = {r.unit.code for rs in results.values() for r in rs}
    for unit_id, unit in units.items():  # units without any answer
        if unit.code not in done:
            answers = {}
            finish(unit_id)
    cohorts = {code: rank_results(framework, results[code], code, relative.get(code, {})) for code in sorted(results)}
    return PeriodScores(period, framework, cohorts)


async def _answering_units(session: AsyncSession, period_id: int) -> set[int]:
    return set(
        (await session.execute(select(Answer.unit_id).where(Answer.period_id == period_id).distinct())).scalars()
    )


def _unit_input(unit: Unit, answers: dict[str, AnswerInput], values: dict[str, Decimal]) -> UnitInput:
    return UnitInput(
        code=unit.code,
        name=unit.name,
        cohort=unit.cohort,
        attributes=unit.attributes or {},
        ranked=unit.ranked,
        answers=answers,
        index_values=values,
    )
