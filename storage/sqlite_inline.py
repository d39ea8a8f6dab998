"""SQLite statements run on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite sends every statement to a worker thread and back. For the bot's short indexed
statements (tens of microseconds each) the two thread switches cost more than the statement, and,
worse, every hop lets the event loop run other work while a writer holds SQLite's single write
lock, so under load a transaction of a dozen statements held the lock for the length of a dozen
loop iterations. Run inline, a transaction is done in one go.

Plugged in through `create_async_engine(..., async_creator=connect_inline(path))`: SQLAlchemy
keeps its aiosqlite adapter and calls this object as it would an aiosqlite connection.

Waiting for the write lock is the one thing that must not block the loop: SQLite's busy handler
sleeps inside the call. So the busy timeout is 0, and a statement refused with SQLITE_BUSY is
retried here after an `asyncio.sleep`, until `busy_timeout` seconds have passed. Long reads
(exports, reports) keep using aiosqlite's thread (`Database.read_session`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any

FIRST_PAUSE = 0.001
INLINE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=0",  # lock waits are done by `patiently`, without blocking the loop
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    # A checkpoint writes the WAL back into the database file and syncs it: up to a hundred
    # milliseconds that must not stall the event loop inside some commit. storage.db runs
    # checkpoints on a worker thread instead (Database._after_write).
    "PRAGMA wal_autocheckpoint=0",
)
LONGEST_PAUSE = 0.05


def is_busy(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)


async def patiently(call: Callable[[], Any], busy_timeout: float) -> Any:
    """`call()` now; while SQLite answers busy, again after a growing pause."""
    try:
        return call()
    except sqlite3.OperationalError as error:
        if not is_busy(error):
            raise
    deadline, pause = time.monotonic() + busy_timeout, FIRST_PAUSE
    while True:
        await asyncio.sleep(pause)
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() >= deadline:
                raise
        pause = min(pause * 2, LONGEST_PAUSE)


class InlineCursor:
    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection._connection.cursor()  # type: ignore[union-attr]

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        await patiently(lambda: self._cursor.execute(sql, parameters), self._connection.busy_timeout)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)
        await patiently(lambda: self._cursor.executemany(sql, rows), self._connection.busy_timeout)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None

    async def nextset(self) -> None:
        return None

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[Any]:
        while (row := self._cursor.fetchone()) is not None:
            yield row


class InlineConnection:
    """The part of aiosqlite.Connection that SQLAlchemy's aiosqlite adapter uses."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout: float) -> None:
        self._connection: sqlite3.Connection | None = connection
        self.busy_timeout = busy_timeout

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection itself, for storage.lean."""
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    async def commit(self) -> None:
        await patiently(self._conn.commit, self.busy_timeout)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)


def connect_inline(path: str, busy_timeout: float) -> Callable[[], Awaitable[InlineConnection]]:
    """An `async_creator` for `create_async_engine("sqlite+aiosqlite://...")`."""

    async def connect() -> InlineConnection:
        # Transactions are begun explicitly (storage.db issues BEGIN IMMEDIATE / DEFERRED);
        # the connection never leaves the event loop's thread.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
        for pragma in INLINE_PRAGMAS:
            connection.execute(pragma)
        return InlineConnection(connection, busy_timeout)

    return connect
