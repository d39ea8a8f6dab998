"""`dti-bot db restore`: a backup restored over a database whose writer was killed comes back exactly,
the old files are set aside rather than deleted, and nothing is touched while a bot runs."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage.backup import backup_sqlite
from storage.db import Database, default_url
from storage.lock import data_lock, lock_path
from storage.migrate import head_revision, upgrade
from tests.e2e.harness import ROOT, BotProcess, bot_env

# A writer like a bot's: WAL, no automatic checkpoint (so everything it writes stays in dti.db-wal),
# one transaction per row. It writes the number of rows asked on each input line, then reports the
# total; "forever" writes until it is killed.
WRITER = r"""
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER PRIMARY KEY, body TEXT NOT NULL)")
total = 0
for line in sys.stdin:
    count = 10**9 if line.strip() == "forever" else int(line)
    for _ in range(count):
        total += 1
        db.execute("INSERT INTO probe (n, body) VALUES (?, ?)", (total, f"row {total} " + "x" * 300))
        if count > 10**8 and total % 100 == 0:
            print(total, flush=True)
    print(total, flush=True)
"""
BACKUP_ROWS = 300


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def query(path: Path, sql: str):
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def env_for(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    return {**env, "DTI_DATA_DIR": str(data), **extra}


def restore(data: Path, *args: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "restore", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env_for(data, **extra),
        cwd=ROOT,
        timeout=120,
    )


def snapshot(data: Path) -> dict[str, str]:
    """Every file in the data folder (recursively) with its hash, but the empty lock file that any
    restore leaves: what "unchanged" means."""
    files = (p for p in sorted(data.rglob("*")) if p.is_file() and p.name != "dti.lock")
    return {str(p.relative_to(data)): sha(p) for p in files}


async def migrated(data: Path) -> Path:
    db = Database(default_url(data))
    await upgrade(db)
    await db.dispose()
    return data / "dti.db"


@pytest.fixture
async def crashed(tmp_path):
    """A migrated database whose writer was SIGKILLed with rows still in dti.db-wal, and an online
    backup taken while it wrote: (data folder, backup file, rows the writer had committed)."""
    data = tmp_path / "data"
    live = await migrated(data)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(live)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        writer.stdin.write(f"{BACKUP_ROWS}\n")
        writer.stdin.flush()
        assert int(writer.stdout.readline()) == BACKUP_ROWS
        backup = tmp_path / "backup" / "dti-backup.db"
        backup_sqlite(default_url(data), backup)  # online, the writer still holding the database
        writer.stdin.write("700\n")
        writer.stdin.flush()
        assert int(writer.stdout.readline()) == BACKUP_ROWS + 700
        writer.stdin.write("forever\n")
        writer.stdin.flush()
        while int(writer.stdout.readline()) < BACKUP_ROWS + 1500:
            pass
        writer.send_signal(signal.SIGKILL)  # mid-write, as when the machine loses power
    finally:
        writer.kill()
        writer.wait()
    wal = data / "dti.db-wal"
    assert wal.is_file() and wal.stat().st_size > 0
    committed = query(_copy_of(data, tmp_path / "peek"), "SELECT count(*) FROM probe")[0][0]
    assert committed >= BACKUP_ROWS + 1500
    return data, backup, committed


def _copy_of(data: Path, folder: Path) -> Path:
    """The database with its -wal/-shm copied elsewhere (opening it replays the WAL there, not here)."""
    folder.mkdir()
    for name in ("dti.db", "dti.db-wal", "dti.db-shm"):
        if (data / name).exists():
            shutil.copy2(data / name, folder / name)
    return folder / "dti.db"


def test_the_old_drill_of_copying_the_backup_over_the_database_brings_back_rows_written_after_it(crashed, tmp_path):
    data, backup, committed = crashed
    assert query(backup, "SELECT count(*) FROM probe") == [(BACKUP_ROWS,)]
    shutil.copyfile(backup, data / "dti.db")  # the drill docs/operations.md used to give
    assert query(data / "dti.db", "SELECT count(*) FROM probe") == [(committed,)] != [(BACKUP_ROWS,)]


def test_restore_over_a_database_whose_writer_was_killed_gives_exactly_the_backup(crashed, tmp_path):
    data, backup, committed = crashed
    before = snapshot(data)
    backup_before = sha(backup)
    result = restore(data, str(backup), "--yes")
    assert result.returncode == 0, result.stderr
    assert "Bản sao lưu hợp lệ" in result.stdout and "kiểm tra toàn vẹn: đạt" in result.stdout, result.stdout
    live = data / "dti.db"
    assert dump(live) == dump(backup)
    assert query(live, "SELECT count(*), max(n) FROM probe") == [(BACKUP_ROWS, BACKUP_ROWS)]
    assert query(live, "PRAGMA integrity_check") == [("ok",)]
    assert query(live, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert sha(backup) == backup_before
    # The old database and its WAL were moved aside, byte for byte, and still open as the old data.
    (aside,) = data.glob("dti.db.before-restore-*")
    assert {f"{aside.name}/{name}": digest for name, digest in before.items() if name.startswith("dti.db")} == {
        name: digest for name, digest in snapshot(data).items() if name.startswith(aside.name)
    }
    assert "dti.db-wal" in result.stdout and str(aside) in result.stdout
    old = _copy_of(aside, tmp_path / "old")
    assert query(old, "SELECT count(*) FROM probe") == [(committed,)]
    assert not list(data.glob(".dti.db.restore-*"))  # no staged copy left behind


def test_restore_refuses_while_the_lock_of_a_running_bot_is_held_and_changes_nothing(tmp_path):
    data = asyncio.run(migrated(tmp_path / "data"))
    backup = tmp_path / "dti-backup.db"
    backup_sqlite(default_url(data.parent), backup)
    with data_lock(lock_path(default_url(data.parent), data.parent), exclusive=False):
        before = snapshot(data.parent)
        result = restore(data.parent, str(backup), "--yes")
        last = result.stderr.strip().splitlines()[-1]
        assert result.returncode == 2 and "Bot đang chạy trên thư mục dữ liệu này" in last, result
        assert "Traceback" not in result.stderr
        assert snapshot(data.parent) == before


async def cli_async(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=str(ROOT),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def test_restore_refuses_while_the_bot_runs_and_works_once_the_bot_was_killed(emulator, tmp_path):
    data = tmp_path / "data"
    env = bot_env(data, emulator.url)
    bot = BotProcess(emulator.state, env, tmp_path / "bot.log")
    await bot.start()
    try:
        code, out = await cli_async(env, "db", "backup", str(tmp_path / "dti-backup.db"))
        assert code == 0, out
        code, out = await cli_async(env, "db", "restore", str(tmp_path / "dti-backup.db"), "--yes")
        assert code == 2 and "Bot đang chạy" in out, out
        assert not list(data.glob("dti.db.before-restore-*"))
    finally:
        await bot.kill()  # a crashed bot leaves no stale lock behind
    code, out = await cli_async(env, "db", "restore", str(tmp_path / "dti-backup.db"), "--yes")
    assert code == 0 and "Đã khôi phục" in out, out
    assert dump(data / "dti.db") == dump(tmp_path / "dti-backup.db")


def damage(path: Path, pages: range) -> None:
    """Overwrite whole pages in the middle of a SQLite file, as a bad disk or a torn copy would."""
    page_size = query(path, "PRAGMA page_size")[0][0]
    with path.open("r+b") as fh:
        for page in pages:
            fh.seek(page * page_size)
            fh.write(bytes([0xA5]) * page_size)


@pytest.mark.parametrize("kind", ["damaged", "not sqlite", "not dti"])
def test_a_bad_backup_is_refused_before_anything_is_touched(tmp_path, kind):
    data = asyncio.run(migrated(tmp_path / "data"))
    backup = tmp_path / "bad.db"
    backup_sqlite(default_url(data.parent), backup)
    if kind == "damaged":
        pages = backup.stat().st_size // query(backup, "PRAGMA page_size")[0][0]
        damage(backup, range(pages // 3, pages // 3 + 4))
        needle = "bị hỏng"
    elif kind == "not sqlite":
        backup.write_bytes(b"PGDMP" + b"\0" * 4000)
        needle = "không phải tệp SQLite"
    else:
        backup.unlink()
        query(backup, "CREATE TABLE notes (body TEXT)")
        needle = "không phải cơ sở dữ liệu của dti-bot"
    before = snapshot(data.parent)
    result = restore(data.parent, str(backup), "--yes")
    assert result.returncode == 2 and needle in result.stderr, result
    assert needle in result.stderr.strip().splitlines()[-1] and "Traceback" not in result.stderr
    assert snapshot(data.parent) == before


def test_answering_no_to_the_question_changes_nothing(tmp_path):
    data = asyncio.run(migrated(tmp_path / "data"))
    backup = tmp_path / "dti-backup.db"
    backup_sqlite(default_url(data.parent), backup)
    before = snapshot(data.parent)
    result = restore(data.parent, str(backup), stdin="n\n")
    assert "Thay cơ sở dữ liệu" in result.stdout and "Đã hủy khôi phục" in result.stdout, result
    assert result.returncode == 1
    assert snapshot(data.parent) == before
    answered_yes = restore(data.parent, str(backup), stdin="y\n")
    assert answered_yes.returncode == 0 and "Đã khôi phục" in answered_yes.stdout, answered_yes


def test_a_backup_of_an_older_schema_is_migrated_on_the_way_in(tmp_path):
    async def at_0001() -> None:
        old = Database(default_url(tmp_path / "old"))
        await upgrade(old, "0001")
        await old.dispose()

    asyncio.run(at_0001())
    result = restore(tmp_path / "data", str(tmp_path / "old" / "dti.db"), "--yes")
    assert result.returncode == 0, result.stderr
    assert f"0001 → {head_revision()}" in result.stdout and "Chưa có cơ sở dữ liệu" in result.stdout
    assert query(tmp_path / "data" / "dti.db", "SELECT version_num FROM alembic_version") == [(head_revision(),)]


def test_for_postgresql_restore_runs_or_prints_pg_restore_without_the_password(tmp_path):
    from storage.backup import pg_tool

    url = "postgresql+asyncpg://dti:secret@db.local:5433/dti"
    result = restore(tmp_path / "data", "/backup/dti.dump", DTI_DATABASE_URL=url)
    assert "secret" not in result.stdout + result.stderr
    if pg_tool("pg_restore") is not None:  # it runs pg_restore itself (tests/ops): a missing file first
        assert result.returncode == 2 and "Không có tệp sao lưu: /backup/dti.dump" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    command = (
        "pg_restore --clean --if-exists --no-owner --single-transaction -h db.local -p 5433 -U dti -d dti "
        "/backup/dti.dump"
    )
    assert command in result.stdout


def test_a_bot_does_not_start_while_a_restore_holds_the_data_folder(tmp_path):
    data = tmp_path / "data"
    with data_lock(lock_path(default_url(data), data), exclusive=True):
        started = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            capture_output=True,
            text=True,
            env=env_for(
                data, DTI_BOT_TOKEN="123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", DTI_TELEGRAM_API_URL="http://127.0.0.1:9"
            ),
            cwd=ROOT,
            timeout=120,
        )
    assert started.returncode == 2 and "Đang khôi phục cơ sở dữ liệu" in started.stderr, started
    assert not (data / "dti.db").exists()
