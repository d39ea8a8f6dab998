"""Writing an answer: validate against the framework, compute self points, keep the audit trail.

Changing an answer the appraisers accepted (or corrected) sends it back to appraisal: its verified
points are cleared (the audit trail keeps them) so no screen or ranking counts a decision about an
answer that no longer exists.

Used inside a use case's transaction (the caller commits), in hand-written SQL (storage.lean): it
runs on every answer. Two focal points of one unit writing the same item at once are serialised
on the answer row, so neither write is lost or corrupted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scoring import SubIndex, parse_answer
from scoring.states import AnswerStatus
from storage.lean import Lean, statement
from storage.models import Answer


def to_json(value: Any) -> Any:
    """A parsed answer as JSON: Decimals as exact strings."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def snapshot(answer: Any) -> dict[str, Any]:
    """What the audit trail keeps of an answer (an AnswerRow or the ORM's Answer)."""
    kept = {
        "raw": answer.raw,
        "self_points": to_json(answer.self_points),
        "verified_points": to_json(answer.verified_points),
        "status": answer.status,
    }
    if getattr(answer, "explanation", ""):
        kept["explanation"] = answer.explanation
    return kept


_UNREAD: Any = object()


class AnswerRow:
    """An answer as the conversation reads and changes it (storage.lean). `raw` is decoded from
    its JSON on first use: a use case loads every answer of the unit but looks into one or two."""

    __slots__ = (
        "_raw",
        "_raw_json",
        "explanation",
        "id",
        "revision",
        "self_points",
        "status",
        "sub_index_code",
        "verified_points",
    )

    def __init__(
        self,
        id: int,
        sub_index_code: str,
        raw_json: str | None,
        self_points: Decimal | None,
        verified_points: Decimal | None,
        status: str,
        revision: int,
        explanation: str = "",
    ) -> None:
        self.id, self.sub_index_code, self.status, self.revision = id, sub_index_code, status, revision
        self.self_points, self.verified_points = self_points, verified_points
        self._raw_json, self._raw = raw_json, _UNREAD
        self.explanation = explanation or ""

    @property
    def raw(self) -> dict[str, Any] | None:
        if self._raw is _UNREAD:
            self._raw = json.loads(self._raw_json) if self._raw_json is not None else None
        return self._raw  # type: ignore[no-any-return]

    @raw.setter
    def raw(self, value: dict[str, Any] | None) -> None:
        self._raw = value

    @property
    def given(self) -> bool:
        """Whether the item has been answered (without decoding the answer)."""
        if self._raw is _UNREAD:
            return self._raw_json is not None and self._raw_json != "null"
        return self._raw is not None


ANSWER_COLUMNS = "id, sub_index_code, raw, self_points, verified_points, status, revision, explanation"
_LOCKED_ANSWER = statement(
    f"SELECT {ANSWER_COLUMNS} FROM answer WHERE period_id = :period_id AND unit_id = :unit_id "
    "AND sub_index_code = :code{for_update}"
)
_NEW_ANSWER = statement(
    "INSERT INTO answer (period_id, unit_id, sub_index_code, status, revision) "
    f"VALUES (:period_id, :unit_id, :code, '{AnswerStatus.DRAFT}', 0) "
    f"ON CONFLICT (period_id, unit_id, sub_index_code) DO NOTHING RETURNING {ANSWER_COLUMNS}"
)
_HISTORY = statement(
    "INSERT INTO answer_history (answer_id, revision, action, changed_by, changed_at, old, new) "
    "VALUES (:answer_id, :revision, :action, :changed_by, :changed_at, :old, :new)"
)
_WRITE_ANSWER = statement(
    "UPDATE answer SET raw = :raw, self_points = :self_points, answered_by = :by, answered_at = :at, "
    "revision = :revision, status = :status, verified_points = :verified_points, "
    "submitted_at = COALESCE(:submitted_at, submitted_at) WHERE id = :id"
)
_WRITE_EXPLANATION = statement("UPDATE answer SET explanation = :explanation, revision = :revision WHERE id = :id")


def answer_row(sql: Lean, row: Sequence[Any]) -> AnswerRow:
    id_, code, raw, self_points, verified_points, status, revision, explanation = row
    if raw is not None and not isinstance(raw, str):  # a driver that decodes JSON itself
        raw = json.dumps(raw)
    return AnswerRow(
        id_, code, raw, sql.read_decimal(self_points), sql.read_decimal(verified_points), status, revision, explanation
    )


async def lock_answer(sql: Lean, period_id: int, unit_id: int, code: str, known: AnswerRow | None = None) -> AnswerRow:
    """The answer row of an item, created empty if needed, locked for this transaction.

    On SQLite a writer holds the database's write lock from BEGIN IMMEDIATE, so a row read in this
    transaction (`known`) is still current; PostgreSQL locks and re-reads the row."""
    if known is not None and sql.dialect == "sqlite":
        return known
    where = {"period_id": period_id, "unit_id": unit_id, "code": code}
    row = None
    if known is None:  # a new row comes back at once; one another writer just made is read below
        row = await sql.row(_NEW_ANSWER, where)
        sql.note_write()
    if row is None:
        row = await sql.row(_LOCKED_ANSWER, where)
    assert row is not None
    return answer_row(sql, row)


async def locked_answer(session: AsyncSession, period_id: int, unit_id: int, code: str) -> tuple[Answer, bool]:
    """The unit's answer to an item as an ORM row, locked for the transaction, created (empty) when
    there is none; and whether it was created. For use cases that set points from outside the
    unit's own answering (an upheld objection, an agency's figure)."""
    answer = (
        await session.execute(
            select(Answer)
            .where(Answer.period_id == period_id, Answer.unit_id == unit_id, Answer.sub_index_code == code)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if answer is not None:
        return answer, False
    answer = Answer(period_id=period_id, unit_id=unit_id, sub_index_code=code)
    session.add(answer)
    await session.flush()
    return answer, True


async def record_history(
    sql: Lean, answer: Any, action: str, person_id: int | None, now: datetime, old: Any, new: Any
) -> None:
    """An audit row for a change to `answer` (an AnswerRow or the ORM's Answer)."""
    await sql.run(
        _HISTORY,
        {
            "answer_id": answer.id,
            "revision": answer.revision,
            "action": action,
            "changed_by": person_id,
            "changed_at": sql.instant(now),
            "old": sql.json(old),
            "new": sql.json(new),
        },
    )


async def write_answer(
    sql: Lean,
    *,
    period_id: int,
    unit_id: int,
    sub: SubIndex,
    raw: Mapping[str, Any],
    person_id: int | None,
    now: datetime,
    known: AnswerRow | None = None,
) -> tuple[AnswerRow, bool]:
    """Validate and store an answer (raises InvalidAnswer). Returns the row and whether it changed.
    `known`: the row as read earlier in this transaction, if it exists."""
    parsed = parse_answer(sub, raw)
    stored = to_json(parsed)
    # Min-max points depend on the whole cohort: no self points are stored for them.
    self_points = None if sub.method.relative else sub.method.points(parsed, sub.max_points)
    answer = await lock_answer(sql, period_id, unit_id, sub.code, known)
    if answer.raw == stored:
        return answer, False
    old = snapshot(answer) if answer.revision else None
    reopened = answer.status == AnswerStatus.ACCEPTED
    answer.raw, answer.self_points, answer.revision = stored, self_points, answer.revision + 1
    if reopened:  # the decision was about the old answer: back to appraisal, nothing verified
        answer.status, answer.verified_points = AnswerStatus.SUBMITTED.value, None
    elif answer.status != AnswerStatus.NEEDS_SUPPLEMENT:
        answer.status = AnswerStatus.DRAFT.value
    await sql.run(
        _WRITE_ANSWER,
        {
            "raw": sql.json(stored),
            "self_points": sql.decimal(self_points),
            "by": person_id,
            "at": sql.instant(now),
            "revision": answer.revision,
            "status": answer.status,
            "verified_points": sql.decimal(answer.verified_points),
            "submitted_at": sql.instant(now) if reopened else None,
            "id": answer.id,
        },
    )
    await record_history(sql, answer, "reopen" if reopened else "answer", person_id, now, old, snapshot(answer))
    return answer, True


async def write_explanation(
    sql: Lean,
    *,
    period_id: int,
    unit_id: int,
    code: str,
    text: str,
    person_id: int | None,
    now: datetime,
    known: AnswerRow | None = None,
) -> tuple[AnswerRow, bool]:
    """Store the unit's explanation of an item ("giải trình"; "" removes it), audited. Returns the
    row and whether it changed. The text is checked by the caller."""
    answer = await lock_answer(sql, period_id, unit_id, code, known)
    if answer.explanation == text:
        return answer, False
    old = {"explanation": answer.explanation} if answer.explanation else None
    answer.explanation, answer.revision = text, answer.revision + 1
    await sql.run(_WRITE_EXPLANATION, {"explanation": text, "revision": answer.revision, "id": answer.id})
    await record_history(sql, answer, "explanation", person_id, now, old, {"explanation": text} if text else None)
    return answer, True
