"""The PostgreSQL backup and restore drill of docs/operations.md, end to end with the real commands:
`dti-bot db backup` runs pg_dump (custom format, a file for its owner only), the evidence folder is
archived with tar, the data then changes, `dti-bot db restore --yes` and tar bring both back: the same
rows in every table, the same evidence files with the same hashes."""

from __future__ import annotations

import asyncio
import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.backup import pg_environment, pg_restore_command, pg_tool

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def needs_pg_tools():
    if pg_tool("pg_dump") is None or pg_tool("pg_restore") is None:
        if os.environ.get("DTI_REQUIRE_POSTGRES") == "1":
            pytest.fail("pg_dump/pg_restore are not installed (apt-get install postgresql)")
        pytest.skip("pg_dump/pg_restore are not installed")


def env_for(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    return {**env, "DTI_DATABASE_URL": url, "DTI_DATA_DIR": str(data_dir), "DTI_LOG_LEVEL": "WARNING"}


def dti(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def snapshot(url: str) -> dict[str, int]:
    """Rows per table, and the content keys of the evidence rows."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            tables = (
                await conn.execute(
                    text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                )
            ).scalars()
            counts = {t: (await conn.execute(text(f'SELECT count(*) FROM "{t}"'))).scalar_one() for t in tables}
        return counts
    finally:
        await engine.dispose()


async def run_sql(url: str, *statements: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def evidence_keys(url: str) -> list[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT DISTINCT content_key FROM evidence WHERE content_key IS NOT NULL ORDER BY 1")
            )
            return list(found.scalars())
    finally:
        await engine.dispose()


def file_hashes(evidence_dir: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in evidence_dir.rglob("*")
        if path.is_file() and "tmp" not in path.relative_to(evidence_dir).parts
    }


async def test_a_postgresql_backup_restores_the_same_rows_and_evidence_files(pg_url, tmp_path):
    data = tmp_path / "data"
    env = env_for(pg_url, data)
    seeded = await asyncio.to_thread(dti, env, "demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    before = await snapshot(pg_url)
    keys = await evidence_keys(pg_url)
    assert before["unit"] > 0 and before["evidence"] > 0 and len(keys) > 3
    hashes = file_hashes(data / "evidence")
    assert set(keys) <= set(hashes) and all(hashes[k] == k for k in keys)

    # Backup: the database with pg_dump, the evidence folder with tar (docs/operations.md).
    dump = tmp_path / "backup" / "dti.dump"
    backup = await asyncio.to_thread(dti, env, "db", "backup", str(dump))
    assert backup.returncode == 0, backup.stderr
    assert dump.read_bytes()[:5] == b"PGDMP" and dump.stat().st_mode & 0o777 == 0o600
    assert "Đã ghi bản sao lưu" in backup.stdout and not list(dump.parent.glob("*.part"))
    archive = tmp_path / "backup" / "evidence.tgz"
    subprocess.run(["tar", "-C", str(data), "-czf", str(archive), "evidence"], check=True)

    # The data changes after the backup: rows added, removed and edited, files lost and damaged.
    await run_sql(
        pg_url,
        "INSERT INTO unit (code, name, cohort, attributes, ranked, active, updated_at) "
        "SELECT 'NEW' || code, name, cohort, attributes, ranked, active, updated_at FROM unit",
        "DELETE FROM evidence WHERE id IN (SELECT id FROM evidence ORDER BY id LIMIT 3)",
        "UPDATE unit SET name = 'đổi tên'",
    )
    (data / "evidence" / keys[0][:2] / keys[0][2:4] / keys[0]).unlink()
    (data / "evidence" / keys[1][:2] / keys[1][2:4] / keys[1]).write_bytes(b"damaged")
    assert await snapshot(pg_url) != before

    # A file that is not a dump, and a restore while another session is connected, change nothing.
    refused = await asyncio.to_thread(dti, env, "db", "restore", str(archive), "--yes")
    assert refused.returncode == 2 and "không phải tệp pg_dump" in refused.stderr, refused.stderr
    engine = create_async_engine(pg_url)
    async with engine.connect() as held:
        await held.execute(text("SELECT 1"))
        busy = await asyncio.to_thread(dti, env, "db", "restore", str(dump), "--yes")
    await engine.dispose()
    assert busy.returncode == 2 and "kết nối khác" in busy.stderr, busy.stderr
    unanswered = await asyncio.to_thread(dti, env, "db", "restore", str(dump))  # no --yes, no answer: no
    assert unanswered.returncode == 1
    assert (await snapshot(pg_url))["unit"] == 2 * before["unit"]

    # The restore: the database, then the files.
    restored = await asyncio.to_thread(dti, env, "db", "restore", str(dump), "--yes")
    assert restored.returncode == 0, restored.stderr
    subprocess.run(["tar", "-C", str(data), "-xzf", str(archive)], check=True)
    assert await snapshot(pg_url) == before
    assert await evidence_keys(pg_url) == keys
    assert file_hashes(data / "evidence") == hashes
    verified = await asyncio.to_thread(dti, env, "evidence", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The command the docs give (and `db restore` prints where pg_restore is missing) does the same.
    await run_sql(pg_url, "DELETE FROM processed_update", "UPDATE unit SET name = 'lại đổi'")
    command = pg_restore_command(pg_url, dump)
    assert command.startswith("pg_restore --clean --if-exists --no-owner --single-transaction -h ")
    pg_bin = str(Path(pg_tool("pg_restore")).parent)
    shell_env = {**pg_environment(pg_url), "PATH": f"{pg_bin}:{os.environ['PATH']}"}
    done = subprocess.run(command, shell=True, env=shell_env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert await snapshot(pg_url) == before


def test_pg_tools_are_found_where_debian_installs_them():
    found = pg_tool("pg_dump")
    assert found is not None and os.access(found, os.X_OK)
    assert shutil.which("pg_dump") == found or found in glob.glob("/usr/lib/postgresql/*/bin/pg_dump")
