"""An online SQLite backup restores to identical data."""

import sqlite3

from bot.services.demo import seed_demo
from bot.services.scores import period_scores
from storage.backup import backup_sqlite, pg_dump_command
from storage.db import Database
from storage.migrate import upgrade


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
    await seed_demo(db, store)
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
