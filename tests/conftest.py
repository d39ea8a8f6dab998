"""Shared fixtures. `db` runs a test on SQLite and, when DTI_TEST_POSTGRES_URL names a server, on
PostgreSQL too. CI sets DTI_REQUIRE_POSTGRES=1 so that a missing server fails instead of skipping."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database
from storage.files import EvidenceStore
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]

# Every in-process test runs on the campaign's calendar, not the machine's: Tuesday 24/11/2026, 09:00 in
# Asia/Ho_Chi_Minh, five days before the demo period's deadline. The clock ticks from there (timeouts and
# sleeps still work), so no test can turn red because of the day it runs on. A test that needs another
# instant travels again inside this one. The e2e bot runs as its own process on the real clock; its tests
# seed their periods relative to the day they run.
FROZEN_NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def campaign_clock(request):
    """The instant in-process tests start at (tests/e2e and tests/browser drive a real process instead)."""
    if request.node.get_closest_marker("e2e") or request.node.get_closest_marker("browser"):
        yield None
        return
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


def postgres_url() -> str | None:
    url = os.environ.get("DTI_TEST_POSTGRES_URL")
    if not url and os.environ.get("DTI_REQUIRE_POSTGRES") == "1":
        pytest.fail("DTI_REQUIRE_POSTGRES=1 but DTI_TEST_POSTGRES_URL is not set")
    return url


async def reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_db(request, tmp_path):
    """A database with no schema yet (for migration tests)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "postgres":
        url = postgres_url()
        if url is None:
            pytest.skip("no PostgreSQL server (set DTI_TEST_POSTGRES_URL)")
        await reset_postgres(url)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'dti.db'}"
    database = Database(url)
    yield database
    await database.dispose()


_MIGRATED_SQLITE: list[Path] = []  # one migrated SQLite file per test session, copied for each test


@pytest.fixture
async def db(empty_db, tmp_path_factory):
    """A migrated database. On SQLite a copy of one migrated file (migrating takes longer than the
    test); on PostgreSQL the migrations run each time."""
    if not empty_db.is_sqlite:
        await upgrade(empty_db)
        return empty_db
    if not _MIGRATED_SQLITE:
        template = tmp_path_factory.mktemp("migrated") / "dti.db"
        migrated = Database(f"sqlite+aiosqlite:///{template}")
        await upgrade(migrated)
        await migrated.dispose()
        _MIGRATED_SQLITE.append(template)
    shutil.copyfile(_MIGRATED_SQLITE[0], make_url(empty_db.url).database)
    return empty_db


@pytest.fixture
async def emulator():
    """The Bot API emulator on a free local port (the bot under test talks to it over HTTP)."""
    from tests.e2e.harness import Emulator

    emu = Emulator()
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
def store(tmp_path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


# Folders whose tests run the command line or outside services as processes of their own: `slow`, left
# out of `make test-fast` (which must stay under a minute) and run by `make test` and CI.
SLOW_FOLDERS = ("cli", "ops")


def pytest_collection_modifyitems(config, items):
    """Kinds of test are marked by folder (a `pytestmark` in a conftest.py marks nothing)."""
    for item in items:
        folder = Path(str(item.fspath)).relative_to(ROOT / "tests").parts[0]
        if folder in ("e2e", "browser"):
            item.add_marker(getattr(pytest.mark, folder))
        if folder in SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


def pytest_generate_tests(metafunc):
    """Every test that uses `db` or `empty_db` runs on both engines."""
    if "empty_db" in metafunc.fixturenames:
        metafunc.parametrize(
            "empty_db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
        )
