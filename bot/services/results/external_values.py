"""External values: items scored from another agency's figures (method `external`, e.g. 6.3, the
satisfaction index the Department of Home Affairs publishes). A unit does not answer them; a
coordinator enters each unit's figure — in the chat (one item, the list of units, a value each) or
from a file (`dti-bot values import`: unit code, sub-index code, value, note).

A figure is stored as the unit's answer to the item: accepted at once (nothing to appraise), with its
points as the verified points, the source in `Answer.note`, `answered_by` the coordinator (None on
the command line), and every change in `answer_history`. The unit then reads "Số liệu do … cung
cấp" (the note, or the framework's `provider:`) instead of waiting for the coordinator.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor
from bot.services.admin.frameworks import framework_of
from bot.services.admin.spreadsheets import Row, read_table
from bot.services.assessment.answers import locked_answer, snapshot, to_json
from bot.services.errors import InputFileError, ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import visible
from scoring import Framework, InvalidAnswer, SubIndex
from scoring.methods import External
from scoring.numbers import NumberField, read_number, tidy
from scoring.states import AnswerStatus, PeriodState
from storage.db import Database
from storage.models import Answer, AnswerHistory, Conversation, Period, Unit
from storage.queries import period_with_framework

FLOW = "values"
PAGE = 20  # units per page of an item's list
NOTE_LIMIT = 1000
# Values may be entered while the period runs and during the feedback window; final results are locked.
ENTERABLE = (PeriodState.OPEN, PeriodState.LOCKED, PeriodState.PROVISIONAL)
HISTORY_ACTION = "external_value"
# A file of figures is a few kilobytes (units × external items): a larger one is refused before it is
# read, and an .xlsx (a zip) also by what it unpacks to, so a small file cannot expand into gigabytes.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 10_000

# The file's columns and the headings a person may give them (English or Vietnamese, any case/accents).
COLUMNS = {
    "unit_code": ("unit", "unit code", "mã đơn vị", "ma dv", "đơn vị"),
    "code": ("sub_index", "sub-index", "sub index code", "item", "mã chỉ số", "chỉ số thành phần", "chỉ số"),
    "value": ("giá trị", "số liệu", "points", "điểm"),
    "note": ("ghi chú", "nguồn", "source"),
}


@dataclass(frozen=True)
class ExternalItem:
    code: str
    name: str
    input: str  # "value" (0..1, times the maximum) or "points" (0..max)
    max_points: Decimal
    provider: str  # the framework's `provider:` ("" when it names none)
    entered: int = 0  # units with a figure
    expected: int = 0  # units the item applies to


@dataclass(frozen=True)
class ValuesOverview:
    period_id: int
    period_title: str
    period_state: str
    items: tuple[ExternalItem, ...]


@dataclass(frozen=True)
class UnitValue:
    unit_id: int
    unit_code: str
    unit_name: str
    value: Decimal | None  # as entered (a value 0..1 or points)
    points: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class ItemValues:
    """One external item of a period: its units with their figures (a page of them), and the unit
    whose figure the coordinator is asked to type now (None: no more units without a figure)."""

    period_id: int
    period_title: str
    item: ExternalItem
    units: tuple[UnitValue, ...]  # this page
    page: int
    pages: int
    asking: UnitValue | None
    saved: UnitValue | None = None  # the figure just recorded
    note: str = ""  # the note the next figures get unless one is typed


@dataclass(frozen=True)
class ImportRow:
    line: int
    unit_code: str
    code: str
    value: Decimal | None
    points: Decimal | None
    note: str
    error: InputFileError | None = None
    unchanged: bool = False


@dataclass(frozen=True)
class ImportPreview:
    period_id: int
    period_title: str
    rows: tuple[ImportRow, ...]
    applied: bool = False
    file_errors: tuple[InputFileError, ...] = field(default_factory=tuple)

    @property
    def good(self) -> tuple[ImportRow, ...]:
        return tuple(r for r in self.rows if r.error is None)

    @property
    def refused(self) -> tuple[ImportRow, ...]:
        return tuple(r for r in self.rows if r.error is not None)


def external_subs(framework: Framework) -> tuple[SubIndex, ...]:
    return tuple(s for s in framework.sub_indices if isinstance(s.method, External))


def provider_of(sub: SubIndex, note: str = "") -> str:
    """Who provides an item's figure, as the unit reads it: the note entered with it, else the
    framework's `provider:`."""
    method = sub.method
    return note.strip() or (method.provider if isinstance(method, External) else "")


def value_field(sub: SubIndex) -> NumberField:
    method = sub.method
    assert isinstance(method, External)
    if method.input == "value":
        return NumberField(min=Decimal(0), max=Decimal(1))
    return NumberField(min=Decimal(0), max=sub.max_points)


def raw_of(sub: SubIndex, value: Decimal) -> dict[str, Any]:
    method = sub.method
    assert isinstance(method, External)
    return {("value" if method.input == "value" else "points"): value}


def points_of(sub: SubIndex, value: Decimal) -> Decimal:
    """The points a figure earns, exact and without trailing zeros (0,85 of 10 points → 8.5)."""
    return tidy(sub.method.points(sub.method.parse(raw_of(sub, value), sub.max_points), sub.max_points))


def stored_value(sub: SubIndex, raw: Any) -> Decimal | None:
    if not isinstance(raw, dict):
        return None
    try:
        parsed = sub.method.parse(raw, sub.max_points)
    except (InvalidAnswer, ArithmeticError, TypeError, ValueError, KeyError):
        return None
    return parsed.get("value", parsed.get("points"))


# -- shared steps ---------------------------------------------------------------------------------
async def _period(session: AsyncSession, period_id: int | None) -> tuple[Period, Framework]:
    """The period asked for, or the newest one values can be entered in."""
    if period_id is None:
        period = (
            await session.execute(
                select(Period).where(Period.state.in_([s.value for s in ENTERABLE])).order_by(Period.id.desc()).limit(1)
            )
        ).scalar_one_or_none()
        if period is None:
            raise ServiceError("no_values_period")
        period_id = period.id
    found = await period_with_framework(session, period_id)
    if found is None:
        raise ServiceError("unknown_period", period=period_id)
    return found[0], framework_of(found[1])


def _enterable(period: Period) -> None:
    if period.state not in ENTERABLE:
        raise ServiceError("values_closed", state=period.state)


def _item(framework: Framework, code: str) -> SubIndex:
    if not framework.has_sub_index(code) or not isinstance(framework.sub_index(code).method, External):
        raise ServiceError("not_external", code=code)
    return framework.sub_index(code)


async def _units(session: AsyncSession, framework: Framework, sub: SubIndex) -> list[Unit]:
    """The active units of the period's cohorts the item applies to, by code."""
    query = select(Unit).where(Unit.active.is_(True)).order_by(Unit.code)
    cohorts = [c.code for c in framework.ranking.cohorts]
    if cohorts:
        query = query.where(Unit.cohort.in_(cohorts))
    return [u for u in (await session.execute(query)).scalars() if sub.applies_to(u.attributes or {})]


async def _answers(session: AsyncSession, period_id: int, code: str) -> dict[int, Answer]:
    rows = await session.execute(select(Answer).where(Answer.period_id == period_id, Answer.sub_index_code == code))
    return {a.unit_id: a for a in rows.scalars()}


def _unit_value(sub: SubIndex, unit: Unit, answer: Answer | None) -> UnitValue:
    if answer is None or answer.raw is None:
        return UnitValue(unit.id, unit.code, unit.name, None, None, answer.note if answer else "")
    return UnitValue(
        unit.id, unit.code, unit.name, stored_value(sub, answer.raw), answer.verified_points, answer.note or ""
    )


def _external_item(sub: SubIndex, entered: int = 0, expected: int = 0) -> ExternalItem:
    method = sub.method
    assert isinstance(method, External)
    return ExternalItem(sub.code, sub.name, method.input, sub.max_points, method.provider, entered, expected)


async def record_value(
    session: AsyncSession,
    actor: Actor,
    period: Period,
    sub: SubIndex,
    unit: Unit,
    value: Decimal,
    note: str,
    *,
    now: datetime,
    via: str = "chat",
) -> tuple[Answer, bool]:
    """Store a unit's figure for an external item (accepted, audited); returns the answer and whether
    it changed. Raises InvalidAnswer when the value does not fit the item."""
    raw = {k: to_json(v) for k, v in sub.method.parse(raw_of(sub, value), sub.max_points).items()}
    points = points_of(sub, value)
    note = visible(note)[:NOTE_LIMIT] if note.strip() else ""
    answer, created = await locked_answer(session, period.id, unit.id, sub.code)
    if created:
        old = None
    else:
        if (
            answer.raw == raw
            and answer.verified_points == points
            and answer.note == note
            and answer.status == AnswerStatus.ACCEPTED
        ):
            return answer, False
        old = {**snapshot(answer), "note": answer.note}
    answer.raw = raw
    answer.self_points = points
    answer.verified_points = points
    answer.status = AnswerStatus.ACCEPTED.value
    answer.answered_by = actor.audit_id
    answer.answered_at = now
    answer.submitted_at = answer.submitted_at or now
    answer.revision = (answer.revision or 0) + 1
    answer.note = note
    session.add(
        AnswerHistory(
            answer_id=answer.id,
            revision=answer.revision,
            action=HISTORY_ACTION,
            changed_by=actor.audit_id,
            changed_at=now,
            old=old,
            new={**snapshot(answer), "note": note, "via": via},
        )
    )
    return answer, True


# -- in the chat ----------------------------------------------------------------------------------
async def external_items(db: Database, actor: Actor, period_id: int | None = None) -> ValuesOverview:
    """The external items of the current period, each with how many units have their figure."""
    actor.require(Action.ENTER_VALUES)
    async with db.read_session() as session:
        period, framework = await _period(session, period_id)
        items = []
        for sub in external_subs(framework):
            units = await _units(session, framework, sub)
            answers = await _answers(session, period.id, sub.code)
            entered = sum(1 for u in units if u.id in answers and answers[u.id].raw is not None)
            items.append(_external_item(sub, entered, len(units)))
        return ValuesOverview(period.id, period.title, period.state, tuple(items))


async def _cursor(session: AsyncSession, actor: Actor) -> Conversation:
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    if conversation is None:
        conversation = Conversation(person_id=actor.person_id, cursor={})
        session.add(conversation)
    return conversation


def _without_flow(cursor: dict) -> dict:
    return {k: v for k, v in (cursor or {}).items() if k not in ("flow", FLOW)}


async def _item_values(
    session: AsyncSession,
    period: Period,
    framework: Framework,
    sub: SubIndex,
    page: int,
    asking: int | None,
    saved: UnitValue | None = None,
    note: str = "",
) -> ItemValues:
    units = await _units(session, framework, sub)
    answers = await _answers(session, period.id, sub.code)
    values = [_unit_value(sub, u, answers.get(u.id)) for u in units]
    pages = max(1, -(-len(values) // PAGE))
    page = min(max(page, 0), pages - 1)
    asked = next((v for v in values if v.unit_id == asking), None)
    return ItemValues(
        period.id,
        period.title,
        _external_item(sub, sum(1 for v in values if v.value is not None), len(values)),
        tuple(values[page * PAGE : (page + 1) * PAGE]),
        page,
        pages,
        asked,
        saved,
        note,
    )


def _next_missing(values: list[UnitValue], after_code: str = "") -> UnitValue | None:
    """The next unit without a figure, after `after_code` in code order, wrapping around."""
    missing = [v for v in values if v.value is None]
    return next((v for v in missing if v.unit_code > after_code), missing[0] if missing else None)


async def open_item(
    db: Database, actor: Actor, period_id: int, code: str, page: int = 0, unit_id: int | None = None
) -> ItemValues:
    """The item's units with their figures; the coordinator is asked to type the figure of `unit_id`
    (a unit tapped in the list), or else of the first unit without one."""
    actor.require(Action.ENTER_VALUES)
    async with db.session() as session, session.begin():
        period, framework = await _period(session, period_id)
        _enterable(period)
        sub = _item(framework, code)
        units = await _units(session, framework, sub)
        answers = await _answers(session, period.id, sub.code)
        values = [_unit_value(sub, u, answers.get(u.id)) for u in units]
        if unit_id is not None and not any(v.unit_id == unit_id for v in values):
            raise ServiceError("unknown_item")
        asking = unit_id if unit_id is not None else (found.unit_id if (found := _next_missing(values)) else None)
        conversation = await _cursor(session, actor)
        cursor = _without_flow(conversation.cursor)
        known = (conversation.cursor or {}).get(FLOW) or {}
        note = known.get("note", "") if known.get("code") == code and known.get("period") == period.id else ""
        state = {"period": period.id, "code": code, "unit": asking, "page": page, "note": note}
        conversation.cursor = {**cursor, "flow": FLOW, FLOW: state} if asking is not None else cursor
        return await _item_values(session, period, framework, sub, page, asking, note=note)


async def values_cursor(db: Database, actor: Actor) -> dict | None:
    """Where the coordinator is in typing figures (None: not typing any)."""
    if not actor.may(Action.ENTER_VALUES):
        return None
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor if conversation else None) or {}
        return cursor.get(FLOW) if cursor.get("flow") == FLOW else None


def split_typed(text: str) -> tuple[str, str]:
    """ "0,85; Sở Nội vụ, QĐ 123" → ("0,85", "Sở Nội vụ, QĐ 123"): the figure, then an optional note
    after a semicolon or a line break."""
    for separator in (";", "\n"):
        if separator in text:
            figure, _sep, note = text.partition(separator)
            return figure.strip(), note.strip()
    return text.strip(), ""


async def type_value(db: Database, actor: Actor, text: str, *, now: datetime) -> ItemValues:
    """The figure typed for the unit being asked ("0,85" or "0,85; note"): recorded, and the next
    unit without a figure is asked. InvalidAnswer (nothing saved) when it does not fit the item."""
    actor.require(Action.ENTER_VALUES)
    async with db.session() as session, session.begin():
        conversation = await _cursor(session, actor)
        cursor = conversation.cursor or {}
        state = cursor.get(FLOW) if cursor.get("flow") == FLOW else None
        if not state or state.get("unit") is None:
            raise ServiceError("nothing_open")
        period, framework = await _period(session, state["period"])
        _enterable(period)
        sub = _item(framework, state["code"])
        unit = await session.get(Unit, state["unit"])
        if unit is None:
            raise ServiceError("unknown_item")
        figure, note = split_typed(text)
        reading = read_number(figure, value_field(sub), "value" if sub.method.input == "value" else "points")
        if reading.error is not None:
            raise reading.error
        if reading.ambiguous:  # "1.500" of points up to 2.000: 1,5 or 1500? The coordinator says which.
            raise ServiceError("ambiguous_value", value=figure)
        value = reading.value
        note = note or state.get("note", "")
        answer, _changed = await record_value(session, actor, period, sub, unit, value, note, now=now)
        saved = _unit_value(sub, unit, answer)
        units = await _units(session, framework, sub)
        answers = await _answers(session, period.id, sub.code)
        values = [_unit_value(sub, u, answers.get(u.id)) for u in units]
        following = _next_missing(values, unit.code)
        page = next((n // PAGE for n, v in enumerate(values) if following and v.unit_id == following.unit_id), 0)
        base = _without_flow(cursor)
        if following is None:
            conversation.cursor = base
        else:
            conversation.cursor = {
                **base,
                "flow": FLOW,
                FLOW: {**state, "unit": following.unit_id, "page": page, "note": note},
            }
        return await _item_values(
            session, period, framework, sub, page, following.unit_id if following else None, saved, note
        )


async def skip_unit(db: Database, actor: Actor) -> ItemValues:
    """⏭: leave the unit being asked without a figure and ask the next one."""
    actor.require(Action.ENTER_VALUES)
    async with db.session() as session, session.begin():
        conversation = await _cursor(session, actor)
        cursor = conversation.cursor or {}
        state = cursor.get(FLOW) if cursor.get("flow") == FLOW else None
        if not state:
            raise ServiceError("nothing_open")
        period, framework = await _period(session, state["period"])
        sub = _item(framework, state["code"])
        units = await _units(session, framework, sub)
        answers = await _answers(session, period.id, sub.code)
        values = [_unit_value(sub, u, answers.get(u.id)) for u in units]
        current = next((v.unit_code for v in values if v.unit_id == state.get("unit")), "")
        following = _next_missing([v for v in values if v.unit_code != current], current)
        page = next((n // PAGE for n, v in enumerate(values) if following and v.unit_id == following.unit_id), 0)
        asking = following.unit_id if following else None
        conversation.cursor = {**cursor, FLOW: {**state, "unit": asking, "page": page}}
        return await _item_values(session, period, framework, sub, page, asking, note=state.get("note", ""))


async def stop(db: Database, actor: Actor) -> None:
    """✖: stop typing figures (what was recorded stays)."""
    actor.require(Action.ENTER_VALUES)
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is not None and (conversation.cursor or {}).get("flow") == FLOW:
            conversation.cursor = _without_flow(conversation.cursor)


# -- from a file ----------------------------------------------------------------------------------
def _read_row(framework: Framework, units: dict[str, Unit], row: Row, seen: dict[tuple[str, str], int]) -> ImportRow:
    unit_code, code, text, note = row.get("unit_code"), row.get("code"), row.get("value"), row.get("note")

    def refused(reason: str, **details: Any) -> ImportRow:
        return ImportRow(row.line, unit_code, code, None, None, note, InputFileError(reason, row.line, **details))

    if not unit_code:
        return refused("missing_unit_code")
    unit = units.get(unit_code)
    if unit is None or not unit.active:
        return refused("unknown_unit", unit=unit_code)
    if not code:
        return refused("missing_item_code")
    if not framework.has_sub_index(code):
        return refused("unknown_item_code", code=code)
    sub = framework.sub_index(code)
    if not isinstance(sub.method, External):
        return refused("not_external_item", code=code)
    cohorts = [c.code for c in framework.ranking.cohorts]
    if (cohorts and unit.cohort not in cohorts) or not sub.applies_to(unit.attributes or {}):
        return refused("item_not_for_unit", unit=unit_code, code=code)
    if (unit_code, code) in seen:
        return refused("duplicate_value", unit=unit_code, code=code, first_line=seen[(unit_code, code)])
    seen[(unit_code, code)] = row.line
    if not text:
        return refused("missing_external_value", code=code)
    field_ = value_field(sub)
    reading = read_number(text, field_)
    if reading.error is not None:
        if reading.error.reason == "out_of_range":
            return refused("external_out_of_range", code=code, value=text, low=field_.min, high=field_.max)
        return refused("external_not_a_number", code=code, value=text)
    if reading.ambiguous:
        return refused("ambiguous_external_value", code=code, value=text)
    value = reading.value
    if len(note) > NOTE_LIMIT:
        return refused("note_too_long", limit=NOTE_LIMIT)
    return ImportRow(row.line, unit_code, code, value, points_of(sub, value), note)


def oversized(data: bytes, file_name: str) -> bool:
    """Too large to read: more than MAX_FILE_BYTES, or an .xlsx that unpacks to more than
    MAX_UNPACKED_BYTES (zip entries are read no further than their declared size)."""
    if len(data) > MAX_FILE_BYTES:
        return True
    if not file_name.lower().endswith((".xlsx", ".xlsm")):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(entry.file_size for entry in archive.infolist()) > MAX_UNPACKED_BYTES
    except (zipfile.BadZipFile, ValueError):
        return False  # not a workbook: read_table says so


async def import_values(
    db: Database, actor: Actor, period_id: int, data: bytes, file_name: str, *, apply: bool, now: datetime
) -> ImportPreview:
    """Read a file of figures (.csv or .xlsx: unit code, sub-index code, value, note): every row is
    checked and those that do not fit are refused one by one (unknown unit or item, not an external
    item, value out of range, a unit twice). With `apply`, the good rows are recorded in one
    transaction (the refused ones are left out); without, nothing changes (the preview)."""
    actor.require(Action.ENTER_VALUES)
    async with db.session() as session, session.begin():
        period, framework = await _period(session, period_id)
        _enterable(period)
        if oversized(data, file_name):
            too_big = InputFileError("values_file_too_big", 1, limit=MAX_FILE_BYTES // (1024 * 1024))
            return ImportPreview(period.id, period.title, (), False, (too_big,))
        try:
            _header, table = read_table(data, file_name, COLUMNS)
        except InputFileError as exc:
            return ImportPreview(period.id, period.title, (), False, (exc,))
        if not table:
            return ImportPreview(period.id, period.title, (), False, (InputFileError("no_rows", 1),))
        if len(table) > MAX_ROWS:
            too_long = InputFileError("values_too_many_rows", 1, limit=Decimal(MAX_ROWS))
            return ImportPreview(period.id, period.title, (), False, (too_long,))
        missing = [k for k in ("unit_code", "code", "value") if k not in _header]
        if missing:
            errors = tuple(InputFileError("missing_column", 1, column=k) for k in missing)
            return ImportPreview(period.id, period.title, (), False, errors)
        units = {u.code: u for u in (await session.execute(select(Unit))).scalars()}
        seen: dict[tuple[str, str], int] = {}
        rows = [_read_row(framework, units, row, seen) for row in table]
        checked = []
        for row in rows:
            if row.error is None:
                answer = (
                    await session.execute(
                        select(Answer).where(
                            Answer.period_id == period.id,
                            Answer.unit_id == units[row.unit_code].id,
                            Answer.sub_index_code == row.code,
                        )
                    )
                ).scalar_one_or_none()
                sub = framework.sub_index(row.code)
                same = (
                    answer is not None
                    and answer.status == AnswerStatus.ACCEPTED
                    and stored_value(sub, answer.raw) == row.value
                    and (answer.note or "") == row.note
                )
                row = ImportRow(row.line, row.unit_code, row.code, row.value, row.points, row.note, None, same)
            checked.append(row)
        if apply:
            for row in checked:
                if row.error is None and not row.unchanged:
                    assert row.value is not None
                    await record_value(
                        session,
                        actor,
                        period,
                        framework.sub_index(row.code),
                        units[row.unit_code],
                        row.value,
                        row.note,
                        now=now,
                        via="cli" if actor.system else "chat",
                    )
        return ImportPreview(period.id, period.title, tuple(checked), apply)
