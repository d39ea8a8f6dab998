"""`dti-bot doctor` catches each fault it claims to: every test breaks one on purpose."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys

import pytest

from bot.sandbox.server import SANDBOX_TOKEN
from bot.services.demo.seed import seed_demo
from storage.db import Database, default_url
from storage.files import EvidenceStore
from storage.migrate import upgrade
from storage.types import utcnow


@pytest.fixture
async def healthy(tmp_path):
    data = tmp_path / "data"
    db = Database(default_url(data))
    await upgrade(db)
    await seed_demo(db, EvidenceStore(data / "evidence"), now=utcnow())
    await db.dispose()
    return data


async def doctor(emulator, data_dir, **env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update(DTI_DATA_DIR=str(data_dir), DTI_BOT_TOKEN=SANDBOX_TOKEN, DTI_TELEGRAM_API_URL=emulator.url)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "doctor", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode()


async def test_a_healthy_installation_passes(emulator, healthy):
    code, out = await doctor(emulator, healthy)
    assert code == 0, out
    assert "Bot API đã phản hồi; bot là @dti_sandbox_bot" in out and "❌" not in out
    assert "Tệp cơ sở dữ liệu nguyên vẹn" in out


@pytest.mark.parametrize(
    ("fault", "change", "needle"),
    [
        ("no token", {"DTI_BOT_TOKEN": None}, "Chưa đặt DTI_BOT_TOKEN"),
        ("a malformed token", {"DTI_BOT_TOKEN": "abc"}, "không giống mã bot"),
        ("a token the Bot API rejects", {"DTI_BOT_TOKEN": "123456:WRONG-token-with-enough-length"}, "từ chối mã bot"),
        ("an unreachable Bot API", {"DTI_TELEGRAM_API_URL": "http://127.0.0.1:9"}, "Không kết nối được Bot API"),
        (
            "an unreachable database",
            {"DTI_DATABASE_URL": "postgresql+asyncpg://dti@127.0.0.1:9/dti"},
            "Không kết nối được cơ sở dữ liệu",
        ),
    ],
)
async def test_each_configuration_fault_is_reported(emulator, healthy, fault, change, needle):
    code, out = await doctor(emulator, healthy, **change)
    assert code == 1 and needle in out, out


async def test_a_schema_behind_the_code_is_reported(emulator, tmp_path):
    from storage.migrate import upgrade as migrate

    db = Database(default_url(tmp_path / "data"))
    await migrate(db, "0001")
    await db.dispose()
    code, out = await doctor(emulator, tmp_path / "data")
    assert code == 1 and "dti-bot db upgrade" in out


async def test_a_data_folder_that_cannot_be_written_is_reported(emulator, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    code, out = await doctor(emulator, blocker / "data")
    assert code == 1 and "không ghi được" in out


async def test_corrupt_and_missing_evidence_files_are_reported(emulator, healthy):
    root = healthy / "evidence"
    files = sorted(p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts)
    files[0].write_bytes(b"tampered")
    files[1].unlink()
    code, out = await doctor(emulator, healthy)
    assert code == 1 and "1 tệp thiếu, 1 tệp hỏng" in out


async def test_a_webhook_left_set_while_polling_is_warned_about(emulator, healthy):
    emulator.state.webhook = {"url": "https://old.example/telegram", "secret_token": "x"}
    code, out = await doctor(emulator, healthy)
    assert code == 0 and "⚠️" in out and "https://old.example/telegram" in out


def overwrite_pages_in_the_middle(path, count=4):
    """A torn copy or a bad disk: whole pages in the middle of the file replaced by garbage."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself
        page_size, pages = connection.execute("PRAGMA page_size").fetchone()[0], path.stat().st_size
    finally:
        connection.close()
    pages //= page_size
    with path.open("r+b") as fh:
        for page in range(pages // 2, pages // 2 + count):
            fh.seek(page * page_size)
            fh.write(bytes([0xA5]) * page_size)


@pytest.mark.parametrize("damage", ["pages in the middle overwritten", "the header overwritten"])
async def test_a_damaged_database_file_fails_the_doctor_with_one_clear_line(emulator, healthy, damage):
    database = healthy / "dti.db"
    if damage == "the header overwritten":
        with database.open("r+b") as fh:
            fh.write(b"not a database at all, just bytes" * 4)
    else:
        overwrite_pages_in_the_middle(database)
    code, out = await doctor(emulator, healthy)
    assert code == 1 and "Traceback" not in out, out
    if damage == "pages in the middle overwritten":  # the file opens and answers: only the full read sees it
        assert "Cơ sở dữ liệu đã phản hồi" in out
    (line,) = [line for line in out.splitlines() if "Tệp cơ sở dữ liệu bị hỏng" in line]
    assert "dti-bot db restore" in line
