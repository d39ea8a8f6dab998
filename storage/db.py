"""Engines and sessions. SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE) by default,
PostgreSQL (asyncpg) by URL; the rest of the code cannot tell them apart."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import updates
from storage.lean import Lean, PostgresLean, SqliteLean
from storage.sqlite_inline import InlineConnection, connect_inline, is_busy, patiently
from storage.updates import TrackingSession

logger = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_MS = 30_000
LEAN_IDLE_CONNECTIONS = 8
CHECKPOINT_EVERY = 200  # write transactions between two WAL checkpoints (≈ 1,600 pages, 6 MB)


def default_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{(data_dir / 'dti.db').resolve()}"


def postgres_url(host: str, port: int, user: str | None, password: str | None, name: str | None) -> str:
    """A PostgreSQL URL from separate fields, each part URL-encoded (a password may hold @, : or %)."""
    return URL.create(
        "postgresql+asyncpg", username=user, password=password, host=host, port=port, database=name
    ).render_as_string(hide_password=False)


def redacted(url: str) -> str:
    """The URL without its password, for logs and reports."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str, begin: str, *, inline: bool, **kw: Any) -> AsyncEngine:
    """An engine on the SQLite file of `url`. `inline`: statements run on the event loop's thread
    (storage.sqlite_inline), for the short statements of use cases; otherwise on aiosqlite's
    worker thread, for long reads."""
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if inline and path and path != ":memory:":
        kw["async_creator"] = connect_inline(str(Path(path).resolve()), SQLITE_BUSY_TIMEOUT_MS / 1000)
    else:
        kw["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None}
        inline = False
    engine = create_async_engine(url, **kw)

    if not inline:  # inline connections are set up by storage.sqlite_inline, the same way

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Transaction control is taken from the driver (isolation_level None at connect) so
            # that writers start with BEGIN IMMEDIATE: a deferred transaction that later writes
            # fails at once with "database is locked" instead of waiting for the busy timeout.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(f"BEGIN {begin}")

    return engine


class _SqliteTransaction:
    """`Database.lean()` on SQLite. A plain class rather than a generator-based context manager:
    it runs twice for every update. An idle inline connection of this process is reused (a new one
    is opened if none is idle); a transaction left open by an error is rolled back before the
    connection is idle again."""

    __slots__ = ("connection", "db", "lean", "snapshot", "write")

    def __init__(self, db: Database, write: bool, snapshot: bool) -> None:
        self.db, self.write, self.snapshot = db, write, snapshot

    async def __aenter__(self) -> Lean:
        db = self.db
        if self.write:
            assert db._write_turn is not None
            await db._write_turn.acquire()
        try:
            self.connection = db._lean_idle.pop() if db._lean_idle else await db._connect_inline()
            if self.write or self.snapshot:
                await self._begin("BEGIN IMMEDIATE" if self.write else "BEGIN DEFERRED")
        except BaseException:
            self._release()
            raise
        self.lean = SqliteLean(self.connection.sqlite, self.connection.busy_timeout)
        return self.lean

    async def _begin(self, statement: str) -> None:
        connection = self.connection
        try:
            connection.sqlite.execute(statement)
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
            await patiently(lambda: connection.sqlite.execute(statement), connection.busy_timeout)

    async def __aexit__(self, exc_type: Any, *_exc: Any) -> None:
        marker = None
        try:
            if exc_type is None and self.write:
                marker = await updates.record_in(self.lean)
                await self.connection.commit()
        finally:
            self._release()
        if marker is not None:
            marker.recorded = True
        if exc_type is None and self.write:
            self.db._after_write()

    def _release(self) -> None:
        db, connection = self.db, getattr(self, "connection", None)
        if connection is not None:
            if connection.in_transaction:
                connection.sqlite.rollback()
            if len(db._lean_idle) < LEAN_IDLE_CONNECTIONS:
                db._lean_idle.append(connection)
            else:
                connection.stop()
        if self.write:
            assert db._write_turn is not None
            db._write_turn.release()


def _report_checkpoint(done: asyncio.Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        logger.warning("WAL checkpoint failed (the next one retries): %s", done.exception())


class Database:
    """The engines and session factories of one database.

    - `session()`: use cases that write (one transaction each);
    - `lean()`: what runs on every message (who is this, was this update seen, the
      self-assessment's use cases), in hand-written SQL (storage.lean);
    - `read_session()`: long reads (exports, reports, cohort scores), which on SQLite run on a
      worker thread so that they neither block the event loop nor hold the write lock.

    On PostgreSQL all three share one engine.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, "IMMEDIATE", inline=True, echo=echo)
            self.read_engine = _sqlite_engine(url, "DEFERRED", inline=False, echo=echo)
        else:
            self.engine = create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
            self.read_engine = self.engine
        self._write_turn = asyncio.Lock() if self.dialect == "sqlite" else None
        self._lean_idle: list[InlineConnection] = []
        self._writes_since_checkpoint = 0
        self._checkpointing: asyncio.Future[Any] | None = None
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=TrackingSession)
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for a use case that writes. On SQLite, writers of this process take turns here
        (first come, first served) instead of meeting at SQLite's lock; other processes still wait
        for it (storage.sqlite_inline, without blocking the loop). Use cases never nest write
        sessions."""
        if self._write_turn is None:
            async with self.sessions() as session:
                yield session
            return
        async with self._write_turn, self.sessions() as session:
            yield session
        self._after_write()

    def _after_write(self) -> None:
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint >= CHECKPOINT_EVERY and (
            self._checkpointing is None or self._checkpointing.done()
        ):
            self._writes_since_checkpoint = 0
            self._checkpointing = asyncio.ensure_future(self._checkpoint_off_loop())
            self._checkpointing.add_done_callback(_report_checkpoint)

    async def _checkpoint_off_loop(self) -> tuple[int, int, int]:
        """Copy the WAL into the database file on a worker thread. The bulk goes while writers
        carry on; the frames they added meanwhile are copied with this process's writers held
        back, so that the next writer can start the WAL over (SQLite restarts it only after a
        checkpoint that left nothing behind) and the file stays small."""
        await asyncio.to_thread(self._checkpoint)
        assert self._write_turn is not None
        async with self._write_turn:
            return await asyncio.to_thread(self._checkpoint)

    def _checkpoint(self) -> tuple[int, int, int]:
        """PASSIVE: copies what no reader still needs and never waits."""
        connection = sqlite3.connect(make_url(self.url).database, isolation_level=None)
        try:
            busy, logged, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return busy, logged, copied
        finally:
            connection.close()

    def lean(self, *, write: bool = True, snapshot: bool = True) -> AbstractAsyncContextManager[Lean]:
        """One transaction of hand-written SQL (storage.lean). Writers take their turn as in
        `session()`; the exactly-once record of the update being handled joins the commit.
        A reader without `snapshot` runs each statement on its own (no transaction around them)."""
        if self._write_turn is None:
            return self._postgres_lean(write, snapshot)
        return _SqliteTransaction(self, write, snapshot)

    @asynccontextmanager
    async def _postgres_lean(self, write: bool, snapshot: bool) -> AsyncIterator[Lean]:
        async with self.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            if not (write or snapshot):
                yield PostgresLean(driver)
                return
            # asyncpg's own transaction: SQLAlchemy's would begin only at its first statement.
            transaction = driver.transaction()
            await transaction.start()
            try:
                lean = PostgresLean(driver)
                yield lean
                marker = await updates.record_in(lean)
            except BaseException:
                await transaction.rollback()
                raise
            await transaction.commit()
        if marker is not None:
            marker.recorded = True

    async def _connect_inline(self) -> InlineConnection:
        path = str(Path(make_url(self.url).database or "").resolve())
        return await connect_inline(path, SQLITE_BUSY_TIMEOUT_MS / 1000)()

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessions() as session:
            yield session

    async def dispose(self) -> None:
        if self._checkpointing is not None:
            await asyncio.gather(self._checkpointing, return_exceptions=True)
        for engine in {self.engine, self.read_engine}:
            await engine.dispose()
        while self._lean_idle:
            self._lean_idle.pop().stop()
