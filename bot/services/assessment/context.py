"""Load, check and lock what a self-assessment use case works on: the unit, its period, the
framework, the unit's items and answers, and the person's conversation cursor.

These use cases run on every message a focal point sends, so they are written in hand-written SQL
(storage.lean) rather than through the ORM; `assessment()` is their one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.campaign_calendar import local_date
from bot.services.access import Actor, NotAllowed
from bot.services.admin.frameworks import framework_lean
from bot.services.assessment.answers import ANSWER_COLUMNS, AnswerRow, answer_row
from bot.services.assessment.editability import editable
from bot.services.assessment.views import EvidenceItem, PeriodRef
from bot.services.campaign.periods import pick_period
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from scoring import Framework, InvalidAnswer, SubIndex, parse_answer
from scoring.cohort import expects_value, minmax_range
from scoring.evidence import evidence_missing
from scoring.methods import MinMax
from scoring.states import VISIBLE_PERIOD_STATES, AnswerStatus, ReviewDecision, sql_list
from scoring.unit import (
    AnswerInput,
    RelativeStats,
    UnitInput,
    UnitResult,
    answerable_items,
    read_stored,
    relative_self_points,
    score_unit,
)
from storage.db import Database
from storage.lean import Lean, statement

logger = logging.getLogger(__name__)


class ReadOnly(ServiceError):
    """The item (or the period) takes no changes now; `why` is a reason of
    bot.services.assessment.editability (deadline, appraisal, supplement_deadline, provisional, …)."""

    reason = "read_only"


class NoPeriod(ServiceError):
    reason = "no_period"


class UnknownItem(ServiceError):
    reason = "unknown_item"


@dataclass
class CtxUnit:
    """The unit a self-assessment use case works for."""

    id: int
    name: str
    cohort: str
    attributes: dict[str, Any]


@dataclass
class CtxPeriod:
    """The period a self-assessment use case works in."""

    id: int
    framework_version_id: int
    title: str
    deadline: date
    state: str
    supplement_deadline: date | None = None
    feedback_deadline: date | None = None
    year: int = 0


@dataclass
class Ctx:
    sql: Lean
    actor: Actor
    unit: CtxUnit
    period: CtxPeriod
    framework: Framework
    ref: PeriodRef
    items: tuple[SubIndex, ...]  # what this unit answers, in framework order
    answers: dict[str, AnswerRow]
    cursor: dict[str, Any]
    has_conversation: bool
    cursor_changed: bool = field(default=False)
    changed_at: datetime | None = None
    relative_points: dict[tuple[str, int], tuple[Decimal, bool]] = field(default_factory=dict)
    relative_ranges: dict[str, RelativeStats | None] = field(default_factory=dict)
    today: date | None = None  # the campaign's local date of this use case

    def set_cursor(self, now: datetime, **values: Any) -> None:
        card = self.cursor.get("card")  # the person's live card (a message id) stays where it is
        self.cursor = {"period": self.period.id, **values, **({"card": card} if card else {})}
        self.cursor_changed, self.changed_at = True, now

    @property
    def card(self) -> int | None:
        """The message id of the person's live card, if the bot knows it."""
        card = self.cursor.get("card")
        return card if isinstance(card, int) else None

    def elsewhere(self, code: str) -> bool:
        """Whether the person is now on another item than `code` (a button of an old card)."""
        current = self.cursor.get("code") if self.cursor.get("period") == self.period.id else None
        return bool(current) and current != code

    def item(self, code: str) -> SubIndex:
        for sub in self.items:
            if sub.code == code:
                return sub
        raise UnknownItem(code=code)

    def position(self, code: str) -> int:
        return next(n for n, s in enumerate(self.items) if s.code == code)

    def answered(self) -> int:
        return sum(1 for s in self.items if (a := self.answers.get(s.code)) is not None and a.given)

    def editable(self, code: str) -> tuple[bool, str | None]:
        """May the unit change this item now, and why (bot.services.assessment.editability)."""
        assert self.today is not None
        return editable(self.period, self.answers.get(code), self.today)

    def item_ref(self, code: str) -> PeriodRef:
        """The period as one item's screen shows it: read-only, or open for a supplement, or neither."""
        allowed, reason = self.editable(code)
        return replace(self.ref, read_only=None if allowed else reason, supplement=allowed and reason is not None)

    def any_editable(self) -> bool:
        """Whether anything can be changed (and submitted) now: every item, or a sent-back one."""
        return self.ref.read_only is None or any(self.editable(code)[0] for code in self.answers)

    def writable(self, code: str | None = None) -> None:
        """Refuse a change: to this item if it is read-only; with no item, whenever the period
        takes no changes to ordinary items (a sent-back item is checked with its code)."""
        why = self.ref.read_only if code is None else self.item_ref(code).read_only
        if why:
            raise ReadOnly(why=why, deadline=self.period.deadline, until=self.period.supplement_deadline)

    def writable_any(self) -> None:
        """Refuse when nothing at all can be changed now (submitting, the submit confirmation)."""
        if not self.any_editable():
            raise ReadOnly(why=self.ref.read_only, deadline=self.period.deadline, until=self.period.supplement_deadline)

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
            await self.sql.run(_UPDATE_CURSOR, values)
        else:
            await self.sql.run(_INSERT_CURSOR, values)
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


def read_only_reason(period: Any, now: datetime) -> str | None:
    """Why an ordinary item (not sent back) of the period is read-only now; None: it can be changed."""
    allowed, reason = editable(period, None, local_date(now))
    return None if allowed else reason


_PERIOD = (
    "SELECT p.id, p.framework_version_id, p.title, p.deadline, p.state, f.content_hash, p.supplement_deadline, "
    "p.feedback_deadline, p.year "
    "FROM period p JOIN framework f ON f.id = p.framework_version_id "
)
_VISIBLE_PERIODS = statement(_PERIOD + f"WHERE p.state IN {sql_list(VISIBLE_PERIOD_STATES)} ORDER BY p.id DESC")
_VISIBLE_PERIOD = statement(_PERIOD + f"WHERE p.id = :id AND p.state IN {sql_list(VISIBLE_PERIOD_STATES)}")
_UNIT = statement("SELECT id, name, cohort, attributes FROM unit WHERE id = :id")
_ANSWERS = statement(f"SELECT {ANSWER_COLUMNS} FROM answer WHERE period_id = :period_id AND unit_id = :unit_id")
_CURSOR = statement("SELECT cursor FROM conversation WHERE person_id = :person_id{for_update}")
_UPDATE_CURSOR = statement(
    "UPDATE conversation SET unit_id = :unit_id, cursor = :cursor, updated_at = :at WHERE person_id = :person_id"
)
_INSERT_CURSOR = statement(
    "INSERT INTO conversation (person_id, unit_id, cursor, updated_at) VALUES (:person_id, :unit_id, :cursor, :at)"
)
_EVIDENCE = statement(
    "SELECT id, kind, size, file_name, url, doc_number, doc_date, doc_summary FROM evidence "
    "WHERE answer_id = :answer_id ORDER BY id"
)
_EVIDENCE_COUNTS = statement(
    "SELECT e.answer_id, count(*) FROM evidence e JOIN answer a ON a.id = e.answer_id "
    "WHERE a.period_id = :period_id AND a.unit_id = :unit_id GROUP BY e.answer_id"
)
_LATEST_COMMENT = statement(
    f"SELECT comment FROM review WHERE answer_id = :answer_id AND decision = '{ReviewDecision.NEEDS_SUPPLEMENT}' "
    "ORDER BY id DESC LIMIT 1"
)
# A min-max item's values in the unit's cohort: one row per unit that may take part (its attributes,
# its stored value if any), and the units whose index is published. `:all_units` is false for a
# framework without cohorts, whose period covers only the units with data (results.scores.period_units).
_COHORT_VALUES = statement(
    "SELECT u.id, u.attributes, {value}, a.status FROM unit u "
    "LEFT JOIN answer a ON a.unit_id = u.id AND a.period_id = :period_id AND a.sub_index_code = :code "
    "WHERE u.cohort = :cohort AND u.active = :active AND (:all_units OR EXISTS ("
    "SELECT 1 FROM answer d WHERE d.unit_id = u.id AND d.period_id = :period_id "
    "AND (d.raw IS NOT NULL OR d.verified_points IS NOT NULL)) OR EXISTS ("
    "SELECT 1 FROM published_result r WHERE r.unit_id = u.id AND r.period_id = :period_id))",
    value=("a.raw", "value"),
)
_NOTES = statement(
    "SELECT sub_index_code, note FROM answer WHERE period_id = :period_id AND unit_id = :unit_id AND note <> ''"
)
_UNIT_PUBLISHED = statement(
    "SELECT index_code, value FROM published_result WHERE period_id = :period_id AND unit_id = :unit_id"
)
_PUBLISHED_INDEX = statement(
    "SELECT r.unit_id FROM published_result r JOIN unit u ON u.id = r.unit_id "
    "WHERE r.period_id = :period_id AND r.index_code = :index_code AND u.cohort = :cohort"
)


async def _periods(sql: Lean, period_id: int | None) -> list[tuple[CtxPeriod, Framework]]:
    if period_id is None:
        rows = await sql.rows(_VISIBLE_PERIODS)
    else:
        rows = await sql.rows(_VISIBLE_PERIOD, {"id": period_id})
    return [
        (
            CtxPeriod(
                id_,
                version,
                title,
                sql.read_day(deadline),
                state,
                sql.read_day(supplement),
                sql.read_day(feedback),
                year,
            ),
            await framework_lean(sql, version, content_hash),
        )
        for id_, version, title, deadline, state, content_hash, supplement, feedback, year in rows
    ]


async def load_ctx(sql: Lean, actor: Actor, unit_id: int | None, period_id: int | None, now: datetime) -> Ctx:
    """Everything a focal point's use case needs, checked: the person answers for this unit."""
    role = actor.unit if unit_id is None else next((r for r in actor.units() if r.unit_id == unit_id), None)
    if role is None:
        raise NotAllowed(unit=unit_id)
    actor.require(Action.ANSWER, role.unit_id)
    found = await sql.row(_UNIT, {"id": role.unit_id})
    if found is None:
        raise NotAllowed(unit=unit_id)
    unit = CtxUnit(found[0], found[1], found[2], sql.read_json(found[3]) or {})
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
    items = answerable_items(framework, unit.attributes)
    rows = await sql.rows(_ANSWERS, {"period_id": period.id, "unit_id": unit.id})
    answers = {a.sub_index_code: a for a in (answer_row(sql, r) for r in rows)}
    cursor = await sql.row(_CURSOR, {"person_id": actor.person_id})
    ref = PeriodRef(
        unit.id,
        unit.name,
        period.id,
        period.title,
        period.deadline,
        read_only_reason(period, now),
        supplement_deadline=period.supplement_deadline,
        state=period.state,
        feedback_deadline=period.feedback_deadline,
        today=local_date(now),
        year=period.year,
    )
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
        today=local_date(now),
    )


async def evidence_of(sql: Lean, answer_id: int | None) -> list[EvidenceItem]:
    if answer_id is None:
        return []
    rows = await sql.rows(_EVIDENCE, {"answer_id": answer_id})
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
    rows = await ctx.sql.rows(_EVIDENCE_COUNTS, {"period_id": ctx.period.id, "unit_id": ctx.unit.id})
    return {answer_id: count for answer_id, count in rows}


def lacks_evidence(sub: SubIndex, answer: AnswerRow | None, pieces: int) -> bool:
    """The answer needs evidence it does not have (scoring.evidence: only an answer that earns
    points, as the framework declares; an explanation stands in where the framework allows it)."""
    if answer is None or pieces or not sub.evidence.required or not answer.given:
        return False
    try:
        raw = answer.raw
    except ValueError:  # not even JSON: named as unreadable elsewhere
        return False
    points = answer.verified_points if answer.verified_points is not None else answer.self_points
    return evidence_missing(sub, raw, points, pieces, answer.explanation)


async def latest_comment(sql: Lean, answer_id: int) -> str:
    comment = await sql.value(_LATEST_COMMENT, {"answer_id": answer_id})
    return comment or ""


async def item_points(ctx: Ctx, sub: SubIndex, answer: AnswerRow | None) -> tuple[Decimal | None, bool]:
    """Points the item earns now; min-max items against the values the cohort has submitted so far."""
    if answer is None or not answer.given:
        return (answer.verified_points if answer else None), False
    if answer.verified_points is not None:
        return answer.verified_points, False
    if not isinstance(sub.method, MinMax):
        return answer.self_points, False
    known = ctx.relative_points.get((sub.code, answer.revision))
    if known is None:
        mine = parse_answer(sub, answer.raw)  # InvalidAnswer: this unit's stored value is unreadable
        known = ctx.relative_points[(sub.code, answer.revision)] = relative_self_points(
            sub, AnswerInput(mine, None, answer.status != AnswerStatus.DRAFT), await _relative_range(ctx, sub)
        )
    return known


async def _relative_range(ctx: Ctx, sub: SubIndex) -> RelativeStats | None:
    """A min-max item's range over the values the cohort has submitted (drafts, this unit's own
    included, never set it), over the same units and by the same rule as the ranking
    (scoring.cohort.expects_value, minmax_range); read once per use case and item."""
    if sub.code in ctx.relative_ranges:
        return ctx.relative_ranges[sub.code]
    where = {"period_id": ctx.period.id, "code": sub.code, "cohort": ctx.unit.cohort}
    published = await ctx.sql.rows(_PUBLISHED_INDEX, {**where, "index_code": sub.index_code})
    published_units = {unit_id for (unit_id,) in published}
    rows = await ctx.sql.rows(
        _COHORT_VALUES, {**where, "active": True, "all_units": bool(ctx.framework.ranking.cohorts)}
    )
    values: list[Decimal] = []
    expected = 0
    for unit_id, attributes, text, status in rows:
        attributes = (ctx.sql.read_json(attributes) or {}) if sub.applies_if else {}
        if not expects_value(sub, attributes, (sub.index_code,) if unit_id in published_units else ()):
            continue
        expected += 1
        if text is None or status == AnswerStatus.DRAFT:  # a draft never sets the range
            continue
        try:
            values.append(parse_answer(sub, {"value": text})["value"])
        except InvalidAnswer:  # another unit's unreadable value is left out of the range, never shown
            logger.warning("unreadable stored value left out of a min-max range: item=%s", sub.code)
    found = ctx.relative_ranges[sub.code] = minmax_range(values, expected)
    return found


async def answer_notes(ctx: Ctx) -> dict[str, str]:
    """The notes stored with the unit's answers (the source of a figure another agency provided)."""
    rows = await ctx.sql.rows(_NOTES, {"period_id": ctx.period.id, "unit_id": ctx.unit.id})
    return {code: note for code, note in rows}


async def unit_result(ctx: Ctx) -> UnitResult:
    """The unit scored as the ranking scores it (scoring.score_unit: its points, and the maximum
    that applies to it, with not-applicable items shrinking it, external items and published index
    values counted): the one source of the totals a focal point's summary shows."""
    fw = ctx.framework
    answers: dict[str, AnswerInput] = {}
    relative: dict[str, RelativeStats] = {}
    for code, row in ctx.answers.items():
        if not fw.has_sub_index(code):
            continue
        sub = fw.sub_index(code)
        try:
            raw = row.raw
        except ValueError:  # not even JSON: left out, as the ranking leaves it out
            raw = None
        parsed = read_stored(sub, raw) if raw is not None else None
        if parsed is None and row.verified_points is None:
            continue
        answers[code] = AnswerInput(
            parsed, row.verified_points, row.status != AnswerStatus.DRAFT, row.status == AnswerStatus.ACCEPTED
        )
        if parsed is not None and sub.method.relative and (found := await _relative_range(ctx, sub)) is not None:
            relative[code] = found
    published = {
        code: value
        for code, value in (
            (code, ctx.sql.read_decimal(value))
            for code, value in await ctx.sql.rows(_UNIT_PUBLISHED, {"period_id": ctx.period.id, "unit_id": ctx.unit.id})
        )
        if fw.has_index(code) and value is not None
    }
    unit = UnitInput(
        code=str(ctx.unit.id),
        name=ctx.unit.name,
        cohort=ctx.unit.cohort,
        attributes=ctx.unit.attributes,
        answers=answers,
        index_values=published,
    )
    return score_unit(fw, unit, relative)


def readable(sub: SubIndex, answer: AnswerRow | None) -> bool:
    """Whether a stored answer still reads as a valid answer of the item (one stored before the
    bounds existed, or edited by hand, may not); unreadable ones are named, never shown or scored."""
    if answer is None or not answer.given:
        return True
    try:
        raw = answer.raw
    except ValueError:  # not even JSON
        raw = None
    if read_stored(sub, raw) is None:
        logger.warning("unreadable stored answer: item=%s answer=%s", sub.code, answer.id)
        return False
    return True
