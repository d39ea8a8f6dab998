"""Load, check and lock what a self-assessment use case works on: the unit, its period, the
framework, the unit's items and answers, and the person's conversation cursor.

These use cases run on every message a focal point sends, so they are written in hand-written SQL
(storage.lean) rather than through the ORM; `assessment()` is their one transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor, NotAllowed
from bot.services.admin.frameworks import framework_by_hash, framework_lean
from bot.services.assessment.answers import ANSWER_COLUMNS, AnswerRow, answer_row
from bot.services.assessment.views import EvidenceItem, PeriodRef
from bot.services.campaign.periods import deadline_passed
from bot.services.errors import ServiceError
from scoring import Framework, InvalidAnswer, SubIndex, parse_answer
from scoring.methods import MinMax
from storage.db import Database
from storage.lean import Lean
from storage.models import FrameworkVersion, Period, Unit

logger = logging.getLogger(__name__)

VISIBLE_STATES = ("open", "locked", "published")
_VISIBLE_SQL = "('open', 'locked', 'published')"


class _Stated(Protocol):
    state: str


P = TypeVar("P", bound=_Stated)


class ReadOnly(ServiceError):
    """The period no longer takes changes; `why` is locked, published, deadline or draft."""

    reason = "read_only"


class NoPeriod(ServiceError):
    reason = "no_period"


class UnknownItem(ServiceError):
    reason = "unknown_item"


@dataclass
class UnitRow:
    id: int
    name: str
    cohort: str
    attributes: dict[str, Any]


@dataclass
class PeriodRow:
    id: int
    framework_version_id: int
    title: str
    deadline: date
    state: str


@dataclass
class Ctx:
    sql: Lean
    actor: Actor
    unit: UnitRow
    period: PeriodRow
    framework: Framework
    ref: PeriodRef
    items: tuple[SubIndex, ...]  # what this unit answers, in framework order
    answers: dict[str, AnswerRow]
    cursor: dict[str, Any]
    has_conversation: bool
    cursor_changed: bool = field(default=False)
    changed_at: datetime | None = None
    relative_points: dict[tuple[str, int], tuple[Decimal, bool]] = field(default_factory=dict)

    def set_cursor(self, now: datetime, **values: Any) -> None:
        self.cursor = {"period": self.period.id, **values}
        self.cursor_changed, self.changed_at = True, now

    def item(self, code: str) -> SubIndex:
        for sub in self.items:
            if sub.code == code:
                return sub
        raise UnknownItem(code=code)

    def position(self, code: str) -> int:
        return next(n for n, s in enumerate(self.items) if s.code == code)

    def answered(self) -> int:
        return sum(1 for s in self.items if (a := self.answers.get(s.code)) is not None and a.given)

    def writable(self) -> None:
        if self.ref.read_only:
            raise ReadOnly(why=self.ref.read_only, deadline=self.period.deadline)

    async def save(self) -> None:
        """Write the cursor back if the use case moved it."""
        if not self.cursor_changed:
            return
        values = {
            "person_id": self.actor.person_id,
            "unit_id": self.unit.id,
            "cursor": self.sql.json(self.cursor),
            "at": self.sql.instant(self.changed_at),
        }
        if self.has_conversation:
            await self.sql.run(
                "UPDATE conversation SET unit_id = :unit_id, cursor = :cursor, updated_at = :at "
                "WHERE person_id = :person_id",
                values,
            )
        else:
            await self.sql.run(
                "INSERT INTO conversation (person_id, unit_id, cursor, updated_at) "
                "VALUES (:person_id, :unit_id, :cursor, :at)",
                values,
            )
            self.has_conversation = True
        self.cursor_changed = False


@asynccontextmanager
async def assessment(
    db: Database, actor: Actor, unit_id: int | None, period_id: int | None, now: datetime, *, write: bool = True
) -> AsyncIterator[Ctx]:
    """A self-assessment use case's transaction: the context loaded and checked; on the way out
    the moved cursor is saved in the same commit (an error leaves everything as it was)."""
    async with db.lean(write=write) as sql:
        ctx = await load_ctx(sql, actor, unit_id, period_id, now)
        yield ctx
        if write:
            await ctx.save()


def pick_period(candidates: Sequence[tuple[P, Framework]], cohort: str) -> tuple[P, Framework] | None:
    """The period a unit works in: the newest open one that covers its cohort, else the newest
    visible one (candidates come newest first)."""
    covering = [c for c in candidates if not c[1].ranking.cohorts or cohort in {k.code for k in c[1].ranking.cohorts}]
    open_ones = [c for c in covering if c[0].state == "open"]
    return (open_ones or covering or [None])[0]


async def current_period(session: AsyncSession, unit: Unit) -> tuple[Period, Framework] | None:
    """`pick_period` for the ORM's readers (progress, results)."""
    rows = (
        await session.execute(
            select(Period, FrameworkVersion.content_hash)
            .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
            .where(Period.state.in_(VISIBLE_STATES))
            .order_by(Period.id.desc())
        )
    ).all()
    candidates = [(p, await framework_by_hash(session, p.framework_version_id, h)) for p, h in rows]
    return pick_period(candidates, unit.cohort)


def read_only_reason(period: Any, now: datetime) -> str | None:
    if period.state != "open":
        return period.state
    if deadline_passed(period.deadline, now):
        return "deadline"
    return None


_PERIOD = (
    "SELECT p.id, p.framework_version_id, p.title, p.deadline, p.state, f.content_hash "
    "FROM period p JOIN framework f ON f.id = p.framework_version_id "
)


async def _periods(sql: Lean, period_id: int | None) -> list[tuple[PeriodRow, Framework]]:
    if period_id is None:
        rows = await sql.rows(_PERIOD + f"WHERE p.state IN {_VISIBLE_SQL} ORDER BY p.id DESC")
    else:
        rows = await sql.rows(_PERIOD + f"WHERE p.id = :id AND p.state IN {_VISIBLE_SQL}", {"id": period_id})
    return [
        (
            PeriodRow(id_, version, title, sql.read_day(deadline), state),
            await framework_lean(sql, version, content_hash),
        )
        for id_, version, title, deadline, state, content_hash in rows
    ]


_answerable: dict[tuple[int, str], tuple[Framework, tuple[SubIndex, ...]]] = {}


def answerable(framework: Framework, attributes: dict[str, Any]) -> tuple[SubIndex, ...]:
    """The items a unit with these attributes answers, in framework order (worked out once per
    framework and set of attributes; the framework is kept with them, so its id stays its own)."""
    key = (id(framework), json.dumps(attributes, sort_keys=True))
    known = _answerable.get(key)
    if known is None:
        if len(_answerable) > 1000:
            _answerable.clear()
        items = tuple(s for s in framework.sub_indices if s.method.kind != "external" and s.applies_to(attributes))
        known = _answerable[key] = (framework, items)
    return known[1]


async def load_ctx(sql: Lean, actor: Actor, unit_id: int | None, period_id: int | None, now: datetime) -> Ctx:
    """Everything a focal point's use case needs, checked: the person answers for this unit."""
    role = actor.unit if unit_id is None else next((r for r in actor.units() if r.unit_id == unit_id), None)
    if role is None or not actor.has("focal_point", role.unit_id):
        raise NotAllowed(unit=unit_id)
    found = await sql.row("SELECT id, name, cohort, attributes FROM unit WHERE id = :id", {"id": role.unit_id})
    if found is None:
        raise NotAllowed(unit=unit_id)
    unit = UnitRow(found[0], found[1], found[2], sql.read_json(found[3]) or {})
    candidates = await _periods(sql, period_id)
    if period_id is None:
        chosen = pick_period(candidates, unit.cohort)
        if chosen is None:
            raise NoPeriod()
    elif not candidates:
        raise NotAllowed(period=period_id)
    else:
        chosen = candidates[0]
    period, framework = chosen
    cohorts = {c.code for c in framework.ranking.cohorts}
    if cohorts and unit.cohort not in cohorts:
        raise NotAllowed(period=period.id)
    items = answerable(framework, unit.attributes)
    rows = await sql.rows(
        f"SELECT {ANSWER_COLUMNS} FROM answer WHERE period_id = :period_id AND unit_id = :unit_id",
        {"period_id": period.id, "unit_id": unit.id},
    )
    answers = {a.sub_index_code: a for a in (answer_row(sql, r) for r in rows)}
    cursor = await sql.row(
        f"SELECT cursor FROM conversation WHERE person_id = :person_id{sql.for_update}", {"person_id": actor.person_id}
    )
    ref = PeriodRef(unit.id, unit.name, period.id, period.title, period.deadline, read_only_reason(period, now))
    return Ctx(
        sql,
        actor,
        unit,
        period,
        framework,
        ref,
        items,
        answers,
        (sql.read_json(cursor[0]) or {}) if cursor else {},
        cursor is not None,
    )


async def evidence_of(sql: Lean, answer_id: int | None) -> list[EvidenceItem]:
    if answer_id is None:
        return []
    rows = await sql.rows(
        "SELECT id, kind, size, file_name, url, doc_number, doc_date, doc_summary FROM evidence "
        "WHERE answer_id = :answer_id ORDER BY id",
        {"answer_id": answer_id},
    )
    return [_evidence_item(sql, *row) for row in rows]


def _evidence_item(
    sql: Lean, id_: int, kind: str, size: int | None, file_name: str, url: str, number: str, day: Any, summary: str
) -> EvidenceItem:
    if kind == "link":
        label = url
    elif kind == "document_ref":
        when = sql.read_day(day)
        label = f"{number} ({when.strftime('%d/%m/%Y') if when else ''}) {summary}".strip()
    else:
        label = file_name
    return EvidenceItem(id_, kind, label, size)


async def evidence_counts(ctx: Ctx) -> dict[int, int]:
    """Pieces of evidence per answer of the unit in the period."""
    rows = await ctx.sql.rows(
        "SELECT e.answer_id, count(*) FROM evidence e JOIN answer a ON a.id = e.answer_id "
        "WHERE a.period_id = :period_id AND a.unit_id = :unit_id GROUP BY e.answer_id",
        {"period_id": ctx.period.id, "unit_id": ctx.unit.id},
    )
    return {answer_id: count for answer_id, count in rows}


async def latest_comment(sql: Lean, answer_id: int) -> str:
    comment = await sql.value(
        "SELECT comment FROM review WHERE answer_id = :answer_id AND decision = 'needs_supplement' "
        "ORDER BY id DESC LIMIT 1",
        {"answer_id": answer_id},
    )
    return comment or ""


async def item_points(ctx: Ctx, sub: SubIndex, answer: AnswerRow | None) -> tuple[Decimal | None, bool]:
    """Points the item earns now; min-max items against the values the cohort has given so far."""
    if answer is None or not answer.given:
        return (answer.verified_points if answer else None), False
    if answer.verified_points is not None:
        return answer.verified_points, False
    if not isinstance(sub.method, MinMax):
        return answer.self_points, False
    known = ctx.relative_points.get((sub.code, answer.revision))
    if known is None:
        known = ctx.relative_points[(sub.code, answer.revision)] = await _relative_points(ctx, sub, answer)
    return known


async def _relative_points(ctx: Ctx, sub: SubIndex, answer: AnswerRow) -> tuple[Decimal, bool]:
    """Min-max points against the values of the cohort so far (read once per use case)."""
    assert isinstance(sub.method, MinMax)
    cohort = {"period_id": ctx.period.id, "code": sub.code, "cohort": ctx.unit.cohort}
    # The cohort's distinct values as stored (exact decimal text, see write_answer) with how many
    # units gave each: the database does the counting, Python compares a few exact numbers.
    value = ctx.sql.json_text("a.raw", "value")
    given = await ctx.sql.rows(
        f"SELECT {value}, count(*) FROM answer a JOIN unit u ON u.id = a.unit_id "
        f"WHERE a.period_id = :period_id AND a.sub_index_code = :code AND u.cohort = :cohort "
        f"AND {value} IS NOT NULL GROUP BY {value}",
        cohort,
    )
    mine = parse_answer(sub, answer.raw)["value"]  # InvalidAnswer: this unit's stored value is unreadable
    values = [mine]
    for text, _ in given:
        try:
            values.append(parse_answer(sub, {"value": text})["value"])
        except InvalidAnswer:  # another unit's unreadable value is left out of the range, never shown
            logger.warning("unreadable stored value left out of a min-max range: item=%s", sub.code)
    answered = sum(count for _, count in given)
    cohort_size = await ctx.sql.value("SELECT count(*) FROM unit WHERE cohort = :cohort", cohort)
    points = sub.method.relative_points(mine, min(values), max(values), sub.max_points)
    return points, answered < cohort_size


def readable(sub: SubIndex, answer: AnswerRow | None) -> bool:
    """Whether a stored answer still reads as a valid answer of the item (one stored before the
    bounds existed, or edited by hand, may not); unreadable ones are named, never shown or scored."""
    if answer is None or not answer.given:
        return True
    try:
        raw = answer.raw
        if not isinstance(raw, dict):
            raise InvalidAnswer("not_a_mapping")
        parse_answer(sub, raw)
    except (InvalidAnswer, ArithmeticError, TypeError, ValueError, AttributeError):
        logger.warning("unreadable stored answer: item=%s answer=%s", sub.code, answer.id)
        return False
    return True
