"""An online SQLite backup restores to identical data."""

import sqlite3
import stat

import pytest

from bot.services.demo.seed import seed_demo
from bot.services.results.scores import period_scores
from storage.backup import (
    RestoreError,
    backup_sqlite,
    commit_restore,
    pg_dump_command,
    pg_restore_command,
    stage_restore,
)
from storage.db import Database, default_url
from storage.migrate import upgrade
from storage.types import utcnow


def dump(path):
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


async def test_a_backup_restored_in_place_of_the_database_holds_identical_data(tmp_path, store):
    source = tmp_path / "live.db"
    db = Database(f"sqlite+aiosqlite:///{source}")
    await upgrade(db)
    await seed_demo(db, store, now=utcnow())
    target = tmp_path / "backup" / "dti-backup.db"
    size = backup_sqlite(db.url, target)
    await db.dispose()
    assert size == target.stat().st_size > 0
    assert dump(target) == dump(source)
    live, restored = Database(f"sqlite+aiosqlite:///{source}"), Database(f"sqlite+aiosqlite:///{target}")
    live_scores, restored_scores = await period_scores(live, 2), await period_scores(restored, 2)
    await live.dispose()
    await restored.dispose()
    assert [(e.code, e.rank, e.result.points) for c in live_scores.cohorts.values() for e in c.entries] == [
        (e.code, e.rank, e.result.points) for c in restored_scores.cohorts.values() for e in c.entries
    ]


def test_for_postgresql_the_pg_dump_command_is_given_without_the_password(tmp_path):
    command = pg_dump_command("postgresql+asyncpg://dti:secret@db.local:5433/dti", tmp_path / "x.dump")
    assert command.startswith("pg_dump --format=custom") and "--host=db.local" in command
    assert "--port=5433" in command and "--username=dti" in command and "secret" not in command


def test_for_postgresql_the_pg_restore_command_cleans_first_and_leaves_out_the_password(tmp_path):
    command = pg_restore_command("postgresql+asyncpg://dti:secret@db.local:5433/dti", tmp_path / "dti 1.dump")
    expected = "pg_restore --clean --if-exists --no-owner --single-transaction -h db.local -p 5433 -U dti -d dti"
    assert command == f"{expected} '{tmp_path}/dti 1.dump'"


async def test_a_backup_with_a_wal_of_its_own_beside_it_is_refused_before_anything_is_copied(tmp_path):
    backup = tmp_path / "copied-live.db"
    writer = sqlite3.connect(backup, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("CREATE TABLE t (x INTEGER)")
        writer.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RestoreError) as refused:
            await stage_restore(backup, default_url(tmp_path / "data"))
    finally:
        writer.close()
    assert refused.value.reason == "backup_has_wal"
    assert not (tmp_path / "data").exists()  # not even the folder of the database was made


async def test_the_restored_file_keeps_the_mode_of_the_database_it_replaces(tmp_path):
    data = tmp_path / "data"
    db = Database(default_url(data))
    await upgrade(db)
    await db.dispose()
    backup = tmp_path / "dti-backup.db"
    backup_sqlite(default_url(data), backup)
    backup.chmod(0o600)
    (data / "dti.db").chmod(0o640)
    staged = await stage_restore(backup, default_url(data))
    result = commit_restore(staged, "20261124-090000")
    assert result.integrity == "ok" and result.aside == data / "dti.db.before-restore-20261124-090000"
    assert stat.S_IMODE((data / "dti.db").stat().st_mode) == 0o640
    assert stat.S_IMODE((result.aside / "dti.db").stat().st_mode) == 0o640
