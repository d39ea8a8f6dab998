"""Hand-written SQL (storage.lean) reads and writes rows exactly as the ORM does, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from storage import updates
from storage.lean import _to_positional, lean_in
from storage.models import Answer, AnswerHistory, Evidence, ProcessedUpdate
from tests.services.helpers import department_period

WHEN = datetime(2026, 10, 24, 3, 4, 5, 678901, tzinfo=UTC)


async def _answer_ids(db):
    period = await department_period(db, units=1)
    async with db.lean() as sql:
        unit_id = await sql.value("SELECT id FROM unit WHERE code = 'U000'")
        answer_id = await sql.insert(
            "INSERT INTO answer (period_id, unit_id, sub_index_code, raw, self_points, status, answered_at, revision) "
            "VALUES (:period, :unit, '1.1', :raw, :points, 'draft', :at, 1) RETURNING id",
            {
                "period": period.id,
                "unit": unit_id,
                "raw": sql.json({"a": "12.5", "b": "25"}),
                "points": sql.decimal(Decimal("801.91")),
                "at": sql.instant(WHEN),
            },
        )
    return period, unit_id, answer_id


async def test_values_written_by_hand_read_back_exactly_through_the_orm(db):
    _, _, answer_id = await _answer_ids(db)
    async with db.session() as session:
        answer = await session.get(Answer, answer_id)
    assert answer.raw == {"a": "12.5", "b": "25"}
    assert answer.self_points == Decimal("801.91")
    assert answer.answered_at == WHEN


async def test_values_written_by_the_orm_read_back_exactly_by_hand(db):
    _, _, answer_id = await _answer_ids(db)
    async with db.session() as session, session.begin():
        session.add(
            Evidence(
                answer_id=answer_id,
                kind="document_ref",
                doc_number="12/QĐ-UBND",
                doc_date=date(2023, 10, 24),
                uploaded_at=WHEN,
            )
        )
    async with db.lean(write=False) as sql:
        number, day, at = await sql.row("SELECT doc_number, doc_date, uploaded_at FROM evidence")
        points = await sql.value("SELECT self_points FROM answer WHERE id = :id", {"id": answer_id})
        value = await sql.value(f"SELECT {sql.json_text('raw', 'a')} FROM answer WHERE id = :id", {"id": answer_id})
    assert (number, sql.read_day(day), sql.read_instant(at)) == ("12/QĐ-UBND", date(2023, 10, 24), WHEN)
    assert sql.read_decimal(points) == Decimal("801.91") and value == "12.5"


async def test_a_failed_lean_transaction_leaves_nothing_behind(db):
    _, _, answer_id = await _answer_ids(db)
    with pytest.raises(RuntimeError):
        async with db.lean() as sql:
            await sql.run("UPDATE answer SET status = 'submitted' WHERE id = :id", {"id": answer_id})
            raise RuntimeError("after the write")
    async with db.lean(write=False) as sql:
        assert await sql.value("SELECT status FROM answer WHERE id = :id", {"id": answer_id}) == "draft"
    async with db.lean() as sql:  # the connection went back clean and the write turn was released
        assert await sql.run("UPDATE answer SET status = 'submitted' WHERE id = :id", {"id": answer_id}) == 1


async def test_the_update_being_handled_is_recorded_in_the_same_commit_as_its_writes(db):
    _, _, answer_id = await _answer_ids(db)
    with updates.processing(4242) as marker:
        async with db.lean(write=False) as sql:  # a read records nothing
            await sql.value("SELECT 1")
        assert not marker.recorded
        async with db.lean() as sql:
            await sql.run("UPDATE answer SET status = 'submitted' WHERE id = :id", {"id": answer_id})
        assert marker.recorded
        async with db.lean() as sql:  # recorded once, not again by a later transaction
            await sql.run("UPDATE answer SET status = 'draft' WHERE id = :id", {"id": answer_id})
    async with db.session() as session:
        rows = (await session.execute(select(ProcessedUpdate.update_id))).scalars().all()
    assert rows == [4242]


async def test_hand_written_statements_in_an_orm_session_see_its_pending_objects_and_count_as_writes(db):
    _, _, answer_id = await _answer_ids(db)
    with updates.processing(77) as marker:
        async with db.session() as session, session.begin():
            answer = await session.get(Answer, answer_id)
            answer.status = "accepted"  # pending in the session until flushed
            sql = await lean_in(session)
            await sql.run(
                "INSERT INTO answer_history (answer_id, revision, action, changed_at) VALUES (:id, 1, 'review', :at)",
                {"id": answer_id, "at": sql.instant(WHEN)},
            )
            assert await sql.value("SELECT status FROM answer WHERE id = :id", {"id": answer_id}) == "accepted"
        assert marker.recorded
    async with db.session() as session:
        assert (await session.execute(select(AnswerHistory.action))).scalars().all() == ["review"]


async def test_hand_written_statements_in_a_fresh_orm_session_are_inside_its_transaction(db):
    _, _, answer_id = await _answer_ids(db)
    with pytest.raises(RuntimeError):
        async with db.session() as session, session.begin():
            sql = await lean_in(session)  # before any ORM statement
            await sql.run("UPDATE answer SET status = 'submitted' WHERE id = :id", {"id": answer_id})
            raise RuntimeError("after the write")
    async with db.lean(write=False) as sql:
        assert await sql.value("SELECT status FROM answer WHERE id = :id", {"id": answer_id}) == "draft"


def test_named_parameters_become_asyncpg_positions_once_per_statement():
    text, names = _to_positional("SELECT :a, :b::text, x::int FROM t WHERE c = :a AND d = ':lit'")
    assert text == "SELECT $1, $2::text, x::int FROM t WHERE c = $1 AND d = ':lit'"
    assert names == ("a", "b")
    assert _to_positional("SELECT :a, :b::text, x::int FROM t WHERE c = :a AND d = ':lit'") == (text, names)
