"""Engines and sessions. SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE) by default,
PostgreSQL (asyncpg) by URL; the rest of the code cannot tell them apart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.updates import TrackingSession

SQLITE_BUSY_TIMEOUT_MS = 30_000


def default_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{(data_dir / 'dti.db').resolve()}"


def redacted(url: str) -> str:
    """The URL without its password, for logs and reports."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_engine(url: str, begin: str, **kw: Any) -> AsyncEngine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kw)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that writers start with BEGIN IMMEDIATE:
        # a deferred transaction that later writes fails at once with "database is locked"
        # instead of waiting for the busy timeout.
        dbapi_connection.isolation_level = None
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


class Database:
    """The engines and session factories of one database.

    `session()` is for use cases that write; `read_session()` for long reads (exports, reports),
    which on SQLite must not hold the write lock.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, "IMMEDIATE", echo=echo)
            self.read_engine = _sqlite_engine(url, "DEFERRED", echo=echo)
        else:
            self.engine = create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
            self.read_engine = self.engine
        self._write_turn = asyncio.Lock() if self.dialect == "sqlite" else None
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=TrackingSession)
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for a use case that writes. On SQLite, writers of this process take turns here
        (first come, first served) instead of spinning in SQLite's busy handler, which sleeps in
        growing steps and made latency explode under load; other processes still meet the busy
        timeout. Use cases never nest write sessions."""
        if self._write_turn is None:
            async with self.sessions() as session:
                yield session
            return
        async with self._write_turn, self.sessions() as session:
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with self.read_sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
