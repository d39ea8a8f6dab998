"""Where each unit of a period stands: items it answers, answered, submitted, and its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_calendar import local_date
from bot.services.access import Actor
from bot.services.admin.frameworks import framework_of
from bot.services.campaign.periods import current_period, open_periods
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.results.scores import period_units
from scoring import Framework
from scoring.evidence import evidence_missing
from storage.db import Database
from storage.models import Answer, Evidence, FrameworkVersion, Membership, Outbox, Period, Person, Unit


@dataclass(frozen=True)
class Contact:
    person_id: int
    chat_id: int
    full_name: str
    reachable: bool


@dataclass
class UnitProgress:
    unit_id: int
    code: str
    name: str
    cohort: str
    total: int  # items the unit answers (applicable, not entered by coordinators)
    cohort_name: str = ""  # the framework's name of the cohort ("khối sở, ban, ngành"), never its code
    answered: int = 0
    submitted: int = 0
    missing_evidence: int = 0
    focal_points: list[Contact] = field(default_factory=list)
    leaders: list[Contact] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.total - self.answered

    @property
    def behind(self) -> bool:
        """Not done yet: items unanswered, or answers not submitted."""
        return self.missing > 0 or self.submitted < self.answered

    @property
    def share(self) -> float:
        return self.answered / self.total if self.total else 1.0

    @property
    def stage(self) -> str:
        """submitted (every item answered and submitted), in_progress, or not_started."""
        if not self.behind:
            return "submitted"
        return "in_progress" if self.answered else "not_started"


def askable_count(framework: Framework, attributes: dict) -> int:
    return sum(1 for s in framework.sub_indices if s.method.kind != "external" and s.applies_to(attributes or {}))


async def period_progress(session: AsyncSession, period: Period) -> tuple[Framework, list[UnitProgress]]:
    framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
    askable = {s.code: s for s in framework.sub_indices if s.method.kind != "external"}
    units = await period_units(session, framework, set())
    progress = {
        u.id: UnitProgress(
            u.id,
            u.code,
            u.name,
            u.cohort,
            askable_count(framework, u.attributes),
            framework.ranking.cohort_name(u.cohort) if u.cohort else "",
        )
        for u in units
    }
    rows = await session.execute(
        select(
            Answer.unit_id,
            Answer.sub_index_code,
            Answer.status,
            Answer.id,
            Answer.raw,
            Answer.self_points,
            Answer.verified_points,
            Answer.explanation,
        ).where(Answer.period_id == period.id, Answer.raw.is_not(None))
    )
    answer_ids: dict[int, tuple[int, str]] = {}
    for unit_id, code, status, answer_id, raw, self_points, verified_points, explanation in rows:
        entry = progress.get(unit_id)
        if entry is None or code not in askable:
            continue
        entry.answered += 1
        entry.submitted += status in ("submitted", "accepted")
        # evidence is asked for only where the answer earns points (scoring.evidence, one rule everywhere)
        points = verified_points if verified_points is not None else self_points
        if evidence_missing(askable[code], raw, points, 0, explanation or ""):
            answer_ids[answer_id] = (unit_id, code)
    with_evidence = (
        {
            answer_id
            for (answer_id,) in await session.execute(
                select(Evidence.answer_id).where(Evidence.answer_id.in_(list(answer_ids))).group_by(Evidence.answer_id)
            )
        }
        if answer_ids
        else set()
    )
    for answer_id, (unit_id, _code) in answer_ids.items():
        if answer_id not in with_evidence:
            progress[unit_id].missing_evidence += 1
    people = await session.execute(
        select(Membership.unit_id, Membership.role, Person.id, Person.telegram_id, Person.full_name, Person.reachable)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.active.is_(True),
            Membership.unit_id.in_(list(progress)),
            Person.telegram_id.is_not(None),
            Membership.role.in_(("focal_point", "leader")),
        )
        .order_by(Person.id)
    )
    for unit_id, role, person_id, chat_id, name, reachable in people:
        contact = Contact(person_id, chat_id, name, reachable)
        (progress[unit_id].focal_points if role == "focal_point" else progress[unit_id].leaders).append(contact)
    return framework, list(progress.values())


async def count_answers(session: AsyncSession, period_id: int) -> int:
    return (
        await session.execute(select(func.count()).select_from(Answer).where(Answer.period_id == period_id))
    ).scalar_one()


@dataclass(frozen=True)
class StageCounts:
    """How many units submitted, are in progress, have not started (of `total`)."""

    name: str  # a cohort's name; "" for the whole campaign
    total: int = 0
    submitted: int = 0
    in_progress: int = 0
    not_started: int = 0


def stage_counts(units: list[UnitProgress] | tuple[UnitProgress, ...], name: str = "") -> StageCounts:
    stages = [u.stage for u in units]
    return StageCounts(
        name, len(stages), stages.count("submitted"), stages.count("in_progress"), stages.count("not_started")
    )


@dataclass(frozen=True)
class ProgressReport:
    period_title: str
    deadline: object
    units: tuple[UnitProgress, ...]  # least complete first
    period_id: int = 0
    totals: StageCounts = StageCounts("")
    cohorts: tuple[StageCounts, ...] = ()  # in the framework's order of cohorts, named
    days_left: int | None = None  # from the campaign's date at `now` (None: not asked)
    can_remind: bool = False  # the person may remind a unit (a "🔔" button per late unit)
    reminded_today: frozenset[int] = frozenset()  # units a coordinator reminded today

    @property
    def late(self) -> tuple[UnitProgress, ...]:
        """Units that have not submitted yet, least complete first."""
        return tuple(u for u in self.units if u.behind)


async def progress_report(db: Database, actor: Actor, now: datetime | None = None) -> ProgressReport:
    """Every unit's completion in the open period (reviewers, coordinators, admins): totals, per cohort
    and the units not submitted yet; with `now`, the days left and who was reminded today."""
    actor.require(Action.VIEW_PROGRESS)
    async with db.read_session() as session:
        periods = await open_periods(session)
        if not periods:
            raise ServiceError("no_open_period")
        period = periods[-1]
        framework, units = await period_progress(session, period)
        reminded = await reminded_units(session, period.id, now) if now is not None else frozenset()
    units.sort(key=lambda u: (u.share, u.submitted, u.code))
    order = {c.code: n for n, c in enumerate(framework.ranking.cohorts)}
    codes = sorted({u.cohort for u in units}, key=lambda c: (order.get(c, len(order)), c))
    cohorts = tuple(
        stage_counts([u for u in units if u.cohort == code], framework.ranking.cohort_name(code) if code else "")
        for code in codes
    )
    return ProgressReport(
        period.title,
        period.deadline,
        tuple(units),
        period.id,
        stage_counts(units),
        cohorts if len(cohorts) > 1 else (),  # one cohort: the totals say it all
        (period.deadline - local_date(now)).days if now is not None else None,
        actor.may(Action.BROADCAST),
        reminded,
    )


def nudge_batch(period_id: int, unit_id: int, day: date) -> str:
    """The outbox batch of a coordinator's reminder to one unit on one campaign day."""
    return f"nudge:{period_id}:{unit_id}:{day:%Y%m%d}"


async def reminded_units(session: AsyncSession, period_id: int, now: datetime) -> frozenset[int]:
    """Units a coordinator reminded on the campaign's date at `now`."""
    day = f"{local_date(now):%Y%m%d}"
    batches = await session.execute(
        select(Outbox.batch).where(Outbox.batch.like(f"nudge:{period_id}:%:{day}")).distinct()
    )
    return frozenset(int(batch.split(":")[2]) for (batch,) in batches)


@dataclass(frozen=True)
class DeadlineInfo:
    title: str
    deadline: object
    days_left: int
    state: str


async def deadline_info(db: Database, actor: Actor, now: datetime) -> DeadlineInfo:
    """The deadline of the person's period (their unit's, or the newest open one for campaign roles),
    counted in days from the campaign's date at `now`."""
    actor.require(Action.DEADLINE)
    today = local_date(now)
    async with db.read_session() as session:
        period = None
        if actor.unit is not None:
            found = await current_period(session, await session.get(Unit, actor.unit.unit_id))
            period = found[0] if found else None
        if period is None:
            periods = await open_periods(session)
            period = periods[-1] if periods else None
        if period is None:
            raise ServiceError("no_open_period")
        return DeadlineInfo(period.title, period.deadline, (period.deadline - today).days, period.state)
