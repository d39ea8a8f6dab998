"""The Word reports: a unit's self-assessment report and the campaign report for coordinators.

Every figure comes from `load_period_scores` (verified points where reviewed, self points otherwise,
published index values where imported), the same scoring the bot's screens show; the unit's self
totals are the same scoring run on its self points alone. Nothing here adds points up by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_calendar import local_date
from bot.services.access import Actor
from bot.services.assessment.context import NoPeriod
from bot.services.campaign.periods import current_period
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.results.scores import PeriodScores, load_period_scores
from scoring import CohortResult, Framework, RankedUnit, SubIndex
from scoring.evidence import evidence_needed
from scoring.unit import NOT_APPLICABLE, UNANSWERED, NodeResult, SubResult, UnitResult, score_unit
from storage.db import Database
from storage.models import Answer, Evidence, Membership, Person, Unit
from storage.queries import unit_by_code


@dataclass(frozen=True)
class CitedEvidence:
    kind: str  # photo, file, link, document_ref
    file_name: str = ""
    url: str = ""
    doc_number: str = ""
    doc_date: date | None = None
    doc_summary: str = ""


@dataclass(frozen=True)
class ReportItem:
    sub: SubIndex
    raw: dict[str, Any] | None  # the stored answer (None: unanswered or entered by a coordinator)
    result: SubResult
    evidence: tuple[CitedEvidence, ...]
    explanation: str = ""  # the unit's explanation ("giải trình")

    @property
    def lacks_evidence(self) -> bool:
        """An answered item whose answer needs evidence (scoring.evidence: only where it earns points)
        and has none cited; listed with the unit's explanation, if any."""
        if self.evidence or self.result.status in (UNANSWERED, NOT_APPLICABLE) or self.raw is None:
            return False
        return evidence_needed(self.sub, self.raw, self.result.points)


@dataclass(frozen=True)
class IndexLine:
    code: str
    name: str
    max_points: Decimal  # the maximum that applies to this unit
    self_points: Decimal
    points: Decimal  # verified where reviewed, self points otherwise (what the ranking counts)
    source: str  # answers, published


@dataclass(frozen=True)
class UnitReport:
    unit_code: str
    unit_name: str
    parent_name: str
    leader_name: str
    period_title: str
    year: int
    period_state: str
    framework: Framework
    cohort: CohortResult
    entry: RankedUnit
    self_result: UnitResult
    indices: tuple[IndexLine, ...]
    items: tuple[ReportItem, ...]
    issued_on: date

    @property
    def result(self) -> UnitResult:
        return self.entry.result

    @property
    def provisional(self) -> bool:
        return self.period_state != "published" or self.result.provisional

    @property
    def without_evidence(self) -> tuple[ReportItem, ...]:
        return tuple(i for i in self.items if i.lacks_evidence)


@dataclass(frozen=True)
class CohortReport:
    cohort: CohortResult
    full: int  # items at full points, over every ranked unit of the cohort
    partial: int
    zero: int
    unanswered: int


@dataclass(frozen=True)
class CampaignReport:
    period_title: str
    year: int
    period_state: str
    framework: Framework
    cohorts: tuple[CohortReport, ...]
    issued_on: date


async def unit_report(db: Database, actor: Actor, period_id: int, unit_code: str, *, now: datetime) -> UnitReport:
    """A unit's report for a period (the command line: the operator may read any unit)."""
    async with db.read_session() as session:
        unit = await unit_by_code(session, unit_code)
        actor.require(Action.UNIT_REPORT, unit.id if unit else None)
        if unit is None:
            raise ServiceError("unknown_unit", unit=unit_code)
        scores = await load_period_scores(session, period_id)
        return await _unit_report(session, unit, scores, local_date(now))


async def my_unit_report(db: Database, actor: Actor, *, now: datetime) -> UnitReport:
    """The report of the unit a leader or focal point works for, on its current period."""
    role = actor.unit
    actor.require(Action.UNIT_REPORT, role.unit_id if role else None)
    if role is None:
        raise NoPeriod()
    async with db.read_session() as session:
        unit = await session.get(Unit, role.unit_id)
        found = await current_period(session, unit) if unit is not None else None
        if unit is None or found is None:
            raise NoPeriod()
        scores = await load_period_scores(session, found[0].id)
        return await _unit_report(session, unit, scores, local_date(now))


async def _unit_report(session: AsyncSession, unit: Unit, scores: PeriodScores, today: date) -> UnitReport:
    cohort = scores.cohort_of(unit.code)
    if cohort is None:  # the unit is outside the period's cohorts
        raise ServiceError("unit_not_in_period", unit=unit.code, period=scores.period.id)
    entry = cohort.entry(unit.code)
    fw = scores.framework
    own = entry.result.unit
    self_only = replace(own, answers={c: a._replace(verified_points=None) for c, a in own.answers.items()})
    self_result = score_unit(fw, self_only, cohort.relative)
    evidence = await _evidence(session, scores.period.id, unit.id)
    explained = await _explanations(session, scores.period.id, unit.id)
    items = tuple(
        ReportItem(
            sub,
            dict(own.answers[sub.code].answer) if sub.code in own.answers and own.answers[sub.code].answer else None,
            entry.result.subs[sub.code],
            evidence.get(sub.code, ()),
            explained.get(sub.code, ""),
        )
        for sub in fw.sub_indices
        if sub.code in entry.result.subs
    )
    indices = tuple(
        _index_line(i.code, i.name, entry.result.indices[i.code], self_result.indices[i.code]) for i in fw.indices
    )
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id else None
    return UnitReport(
        unit_code=unit.code,
        unit_name=unit.name,
        parent_name=parent.name if parent else "",
        leader_name=await _leader_name(session, unit.id),
        period_title=scores.period.title,
        year=scores.period.year,
        period_state=scores.period.state,
        framework=fw,
        cohort=cohort,
        entry=entry,
        self_result=self_result,
        indices=indices,
        items=items,
        issued_on=today,
    )


def _index_line(code: str, name: str, counted: NodeResult, self_node: NodeResult) -> IndexLine:
    return IndexLine(code, name, counted.max_points, self_node.points, counted.points, counted.source)


async def _evidence(session: AsyncSession, period_id: int, unit_id: int) -> dict[str, tuple[CitedEvidence, ...]]:
    rows = await session.execute(
        select(Answer.sub_index_code, Evidence)
        .join(Evidence, Evidence.answer_id == Answer.id)
        .where(Answer.period_id == period_id, Answer.unit_id == unit_id)
        .order_by(Evidence.id)
    )
    out: dict[str, list[CitedEvidence]] = {}
    for code, e in rows:
        out.setdefault(code, []).append(
            CitedEvidence(e.kind, e.file_name, e.url, e.doc_number, e.doc_date, e.doc_summary)
        )
    return {code: tuple(items) for code, items in out.items()}


async def _explanations(session: AsyncSession, period_id: int, unit_id: int) -> dict[str, str]:
    rows = await session.execute(
        select(Answer.sub_index_code, Answer.explanation).where(
            Answer.period_id == period_id, Answer.unit_id == unit_id, Answer.explanation != ""
        )
    )
    return {code: text for code, text in rows}


async def _leader_name(session: AsyncSession, unit_id: int) -> str:
    name = (
        await session.execute(
            select(Person.full_name)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.unit_id == unit_id, Membership.role == "leader", Membership.active.is_(True))
            .order_by(Membership.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    return name or ""


async def campaign_report(db: Database, actor: Actor, period_id: int, *, now: datetime) -> CampaignReport:
    """Every cohort of a period: its ranking, averages, top and bottom, spread and item counts."""
    actor.require(Action.CAMPAIGN_REPORT)
    async with db.read_session() as session:
        scores = await load_period_scores(session, period_id)
    cohorts = []
    for cohort in scores.cohorts.values():
        ranked = [e.result.counts for e in cohort.ranked]
        cohorts.append(
            CohortReport(
                cohort,
                full=sum(c.full for c in ranked),
                partial=sum(c.partial for c in ranked),
                zero=sum(c.zero for c in ranked),
                unanswered=sum(c.unanswered for c in ranked),
            )
        )
    period = scores.period
    return CampaignReport(period.title, period.year, period.state, scores.framework, tuple(cohorts), local_date(now))
