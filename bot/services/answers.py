"""Writing an answer: validate against the framework, compute self points, keep the audit trail.

Used inside a use case's transaction (the caller commits). Two focal points of one unit writing
the same item at once are serialised on the answer row, so neither write is lost or corrupted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from scoring import SubIndex, parse_answer
from storage.models import Answer, AnswerHistory


def to_json(value: Any) -> Any:
    """A parsed answer as JSON: Decimals as exact strings."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def snapshot(answer: Answer) -> dict[str, Any]:
    return {
        "raw": answer.raw,
        "self_points": to_json(answer.self_points),
        "verified_points": to_json(answer.verified_points),
        "status": answer.status,
    }


async def lock_answer(session: AsyncSession, period_id: int, unit_id: int, code: str) -> Answer:
    """The answer row of an item, created empty if needed, locked for this transaction."""
    values = {"period_id": period_id, "unit_id": unit_id, "sub_index_code": code, "status": "draft", "revision": 0}
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(Answer)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["period_id", "unit_id", "sub_index_code"])
    )
    query = (
        select(Answer)
        .where(Answer.period_id == period_id, Answer.unit_id == unit_id, Answer.sub_index_code == code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one()


def record_history(
    session: AsyncSession, answer: Answer, action: str, person_id: int | None, now: datetime, old: Any, new: Any
) -> None:
    session.add(
        AnswerHistory(
            answer_id=answer.id,
            revision=answer.revision,
            action=action,
            changed_by=person_id,
            changed_at=now,
            old=old,
            new=new,
        )
    )


async def write_answer(
    session: AsyncSession,
    *,
    period_id: int,
    unit_id: int,
    sub: SubIndex,
    raw: Mapping[str, Any],
    person_id: int | None,
    now: datetime,
) -> tuple[Answer, bool]:
    """Validate and store an answer (raises InvalidAnswer). Returns the row and whether it changed."""
    parsed = parse_answer(sub, raw)
    stored = to_json(parsed)
    # Min-max points depend on the whole cohort: no self points are stored for them.
    self_points = None if sub.method.relative else sub.method.points(parsed, sub.max_points)
    answer = await lock_answer(session, period_id, unit_id, sub.code)
    if answer.raw == stored:
        return answer, False
    old = snapshot(answer) if answer.revision else None
    answer.raw = stored
    answer.self_points = self_points
    answer.answered_by = person_id
    answer.answered_at = now
    answer.revision += 1
    if answer.status != "needs_supplement":
        answer.status = "draft"
    record_history(session, answer, "answer", person_id, now, old, snapshot(answer))
    return answer, True
