"""Apply Alembic migrations programmatically: on start and by `dti-bot db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock taken for the migrations' transaction: replicas starting together run them
# one at a time (the others wait, then find the schema at head and do nothing). Any fixed number will
# do; this one is "dti-bot" in ASCII.
MIGRATION_LOCK = 0x6474692D626F74


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction (both engines have transactional DDL).
    On PostgreSQL one process at a time: simultaneous starts of several replicas queue on an
    advisory lock held until the commit, so none fails on a table another one is creating."""
    async with db.engine.begin() as conn:
        await _one_at_a_time(conn)
        await conn.run_sync(_run, "upgrade", revision)


async def downgrade(db: Database, revision: str) -> None:
    async with db.engine.begin() as conn:
        await _one_at_a_time(conn)
        await conn.run_sync(_run, "downgrade", revision)


async def _one_at_a_time(conn: AsyncConnection) -> None:
    if conn.dialect.name == "postgresql":  # SQLite: the write lock of the transaction does it
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _run(connection: Connection, action: str, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    getattr(command, action)(cfg, revision)
