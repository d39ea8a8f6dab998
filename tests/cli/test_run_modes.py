"""`dti-bot run` does what its settings say (DTI_WEBHOOK_URL means a webhook, and doctor says which
mode), stops with one Vietnamese line on a revoked token or an unreachable database, and
`dti-bot sandbox --emulator-only` stands in for Telegram as deploy.md describes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

from bot.sandbox.server import SANDBOX_TOKEN
from tests.e2e.harness import Person

ROOT = Path(__file__).resolve().parents[2]
DATABASE_LINE = "Cơ sở dữ liệu: "


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(data_dir: Path, api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update(
        {
            "DTI_DATA_DIR": str(data_dir),
            "DTI_BOT_TOKEN": SANDBOX_TOKEN,
            "DTI_TELEGRAM_API_URL": api_url,
            "DTI_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


async def dti(env: dict[str, str], *args: str, timeout: float = 60) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=str(ROOT),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, out.decode(), err.decode()


def errors_of(stderr: str) -> list[str]:
    """stderr without the line that names the database."""
    return [line for line in stderr.strip().splitlines() if not line.startswith(DATABASE_LINE)]


async def test_dti_webhook_url_makes_run_register_a_webhook_instead_of_polling(emulator, tmp_path):
    port = free_port()
    hook = f"http://127.0.0.1:{port}"
    env = environment(tmp_path / "data", emulator.url, DTI_WEBHOOK_URL=hook)
    log = (tmp_path / "bot.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--port", str(port), env=env, cwd=str(ROOT), stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while not emulator.state.webhook.get("url"):
            assert proc.returncode is None and time.monotonic() < deadline, (tmp_path / "bot.log").read_text()
            await asyncio.sleep(0.05)
        assert emulator.state.webhook["url"] == f"{hook}/telegram"
        async with aiohttp.ClientSession() as http:
            stranger = Person(http, emulator.url, 719001, "Người lạ")
            await stranger.send("/start")
            await stranger.expect("")  # the update came by the webhook, and the bot answered it
        assert emulator.state.polls == 0  # never asked getUpdates
        code, out, _err = await dti(env, "doctor")
        assert code == 0, out
        assert f"Chế độ: webhook tại {hook}/telegram (DTI_WEBHOOK_URL)." in out
        assert "❌" not in out and "⚠️" not in out
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        log.close()


async def test_doctor_reports_polling_and_warns_when_the_webhook_it_expects_is_missing(emulator, tmp_path):
    env = environment(tmp_path / "data", emulator.url)
    code, _out, err = await dti(env, "db", "upgrade", "--create")
    assert code == 0, err
    code, out, _err = await dti(env, "doctor")
    assert code == 0 and "Chế độ: long polling (chưa đặt DTI_WEBHOOK_URL)." in out, out
    code, out, _err = await dti({**env, "DTI_WEBHOOK_URL": "https://dti.example.gov.vn"}, "doctor")
    assert "Chế độ: webhook tại https://dti.example.gov.vn/telegram" in out
    assert "⚠️ Đã đặt DTI_WEBHOOK_URL nhưng Telegram chưa có webhook" in out, out


async def test_a_revoked_token_stops_run_with_one_vietnamese_line(emulator, tmp_path):
    env = environment(tmp_path / "data", emulator.url, DTI_BOT_TOKEN="7000000001:REVOKED-token-of-enough-length")
    code, out, err = await dti(env, "run")
    assert code == 2 and "Traceback" not in out + err, err
    assert errors_of(err)[-1] == (
        "Bot API từ chối mã bot (401): mã đã bị thu hồi hoặc nhập sai. "
        "Hãy lấy mã từ @BotFather và đặt lại DTI_BOT_TOKEN."
    )
    assert "REVOKED" not in out + err


async def test_an_unreachable_database_stops_run_with_one_vietnamese_line(emulator, tmp_path):
    env = environment(
        tmp_path / "data", emulator.url, DTI_DATABASE_URL="postgresql+asyncpg://dti:hunter2@127.0.0.1:9/dti"
    )
    code, out, err = await dti(env, "run")
    assert code == 2 and "Traceback" not in out + err, err
    assert errors_of(err) == [line for line in errors_of(err) if line.startswith("Không kết nối được cơ sở dữ liệu")]
    assert len(errors_of(err)) == 1 and "hunter2" not in out + err and "dti:***@127.0.0.1:9/dti" in err


async def test_sandbox_emulator_only_stands_in_for_telegram_without_a_bot_or_data(tmp_path):
    port = free_port()
    env = environment(tmp_path / "data", "unused")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "sandbox", "--emulator-only", "--port", str(port), env=env, cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        ready = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert f"http://127.0.0.1:{port}" in ready.decode() and SANDBOX_TOKEN in ready.decode()
        url = f"http://127.0.0.1:{port}/bot{SANDBOX_TOKEN}/getMe"
        me = await asyncio.to_thread(lambda: json.load(urllib.request.urlopen(url, timeout=10)))
        assert me["ok"] and me["result"]["is_bot"]
        await asyncio.sleep(1.5)  # a bot of the sandbox's own would be polling by now
        updates = f"http://127.0.0.1:{port}/bot{SANDBOX_TOKEN}/getWebhookInfo"
        info = await asyncio.to_thread(lambda: json.load(urllib.request.urlopen(updates, timeout=10)))
        assert info["result"]["url"] == ""
        assert not (tmp_path / "data").exists()  # no database, no demo data
        # The rehearsal of deploy.md: the installation's doctor against the emulator.
        rehearsal = environment(tmp_path / "install", f"http://127.0.0.1:{port}")
        code, _out, err = await dti(rehearsal, "db", "upgrade", "--create")
        assert code == 0, err
        code, out, _err = await dti(rehearsal, "doctor")
        assert code == 0 and "Bot API đã phản hồi" in out, out
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
