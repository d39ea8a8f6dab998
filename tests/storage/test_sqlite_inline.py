"""SQLite on the event loop's thread: short statements inline, waits and checkpoints off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from storage import db as db_module
from storage import sqlite_inline
from storage.db import CHECKPOINT_EVERY, Database
from storage.migrate import upgrade
from storage.models import Unit


@pytest.fixture
async def sqlite_db(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'dti.db'}")
    await upgrade(database)
    yield database
    await database.dispose()


def _refusals(monkeypatch) -> tuple[asyncio.Event, list[int]]:
    """An event set once SQLite refuses a statement as busy (a writer has met the lock and waits), and
    the count of such refusals."""
    refused, count = asyncio.Event(), [0]
    real = sqlite_inline.is_busy

    def spy(error: sqlite3.OperationalError) -> bool:
        busy = real(error)
        if busy:
            count[0] += 1
            refused.set()
        return busy

    monkeypatch.setattr(sqlite_inline, "is_busy", spy)
    return refused, count


async def _waits_without_blocking_the_loop(write, refused: asyncio.Event, other: sqlite3.Connection) -> None:
    """Start `write` while `other` holds the write lock: once the writer has met the lock, this very
    coroutine still gets the loop (the writer waits beside it, not in it) and lets the writer in."""
    writer = asyncio.create_task(write)
    await asyncio.wait_for(refused.wait(), timeout=30)
    assert not writer.done()  # it is waiting for the lock…
    other.execute("COMMIT")  # …while this coroutine runs, and releases it
    other.close()
    await writer


async def _insert_unit(database: Database, code: str) -> None:
    async with database.session() as session, session.begin():
        session.add(Unit(code=code, name=code, cohort="so-nganh", attributes={}, ranked=True, active=True))


async def test_a_writer_waiting_for_another_process_lets_the_event_loop_run(sqlite_db, tmp_path, monkeypatch):
    refused, _ = _refusals(monkeypatch)
    other = sqlite3.connect(tmp_path / "dti.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    await _waits_without_blocking_the_loop(_insert_unit(sqlite_db, "U1"), refused, other)
    async with sqlite_db.lean(write=False) as sql:
        assert await sql.rows("SELECT code FROM unit") == [("U1",)]


async def test_a_lean_writer_waiting_for_another_process_lets_the_event_loop_run(sqlite_db, tmp_path, monkeypatch):
    refused, _ = _refusals(monkeypatch)
    other = sqlite3.connect(tmp_path / "dti.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with sqlite_db.lean() as sql:
            await sql.run(
                "INSERT INTO unit (code, name, cohort, attributes, ranked, active, updated_at) "
                "VALUES ('L1', 'L1', '', '{}', 1, 1, :at)",
                {"at": sql.instant(datetime.now(UTC))},
            )

    await _waits_without_blocking_the_loop(write(), refused, other)
    async with sqlite_db.lean(write=False) as sql:
        assert await sql.value("SELECT code FROM unit") == "L1"


async def test_a_writer_gives_up_with_an_error_after_the_busy_timeout(sqlite_db, tmp_path, monkeypatch):
    _, refusals = _refusals(monkeypatch)
    monkeypatch.setattr(sqlite_inline, "LONGEST_PAUSE", 0.01)
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 200)  # read when an engine is made
    database = Database(sqlite_db.url)
    other = sqlite3.connect(tmp_path / "dti.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            await _insert_unit(database, "U2")
        assert refusals[0] >= 2  # it tried again (after a pause) before giving up, not at the first refusal
    finally:
        other.execute("ROLLBACK")
        other.close()
        await database.dispose()


async def test_the_loop_connections_leave_checkpoints_to_a_worker_thread(sqlite_db):
    async with sqlite_db.session() as session:
        assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
    async with sqlite_db.lean(write=False) as sql:
        assert await sql.value("PRAGMA wal_autocheckpoint") == 0
    for n in range(CHECKPOINT_EVERY):
        await _insert_unit(sqlite_db, f"C{n}")
    assert sqlite_db._checkpointing is not None  # started by the writes themselves
    await sqlite_db._checkpointing


def _frames_in_wal(database: Database) -> int:
    with sqlite3.connect(database.engine.url.database) as connection:
        return connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


async def test_a_checkpoint_amid_writes_still_lets_the_wal_start_over(sqlite_db):
    for n in range(50):
        await _insert_unit(sqlite_db, f"A{n}")
    checkpoint = asyncio.create_task(sqlite_db._checkpoint_off_loop())
    n = 0
    while not checkpoint.done():  # writers carry on while it copies
        await _insert_unit(sqlite_db, f"B{n}")
        n += 1
    await checkpoint
    await _insert_unit(sqlite_db, "next")
    # The next write found a fully copied WAL and started it over: only its own frames are in it.
    # (Had the frames written during the checkpoint been left behind, the WAL would keep them all.)
    assert _frames_in_wal(sqlite_db) < 10


async def test_a_failed_checkpoint_is_logged_and_writing_goes_on(sqlite_db, monkeypatch, caplog):
    def broken() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_db, "_checkpoint", broken)
    for n in range(CHECKPOINT_EVERY):
        await _insert_unit(sqlite_db, f"F{n}")
    with pytest.raises(sqlite3.OperationalError):
        await sqlite_db._checkpointing
    assert "WAL checkpoint failed" in caplog.text
    await _insert_unit(sqlite_db, "after")  # the database still takes writes
