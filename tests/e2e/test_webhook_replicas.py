"""Two webhook replicas behind nginx on one PostgreSQL database, evidence files in an S3-compatible
store: the nginx configuration is the very upstream block docs/deploy.md prints. Both replicas start
at once on an empty database (migrations one at a time), register the same secret, take updates in
turn; one is stopped (SIGTERM) in the middle of the traffic: every request gets its 200, every update
is handled exactly once, and every uploaded file is in the shared bucket."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import webhook_secret
from bot.sandbox.server import SANDBOX_TOKEN
from bot.services.demo.files import pdf
from tests.e2e.harness import BotProcess, Person, bot_env
from tests.ops.services import free_port, moto_server, own_database, s3_client, s3_environment

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UNITS = ["SNV", "STP", "SYT", "SXD", "SCT", "STC"]
STRANGERS = 120


@pytest.fixture
async def pg_url():
    async for url in own_database("dti_replicas"):
        yield url


@pytest.fixture
def s3_endpoint(tmp_path):
    yield from moto_server(tmp_path / "moto.log")


def deploy_md_nginx_block() -> str:
    text_ = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text_, re.S)
    [block] = [b for b in blocks if "upstream dti_bot" in b]
    return block


def nginx_conf(folder: Path, listen: int, replicas: list[int]) -> str:
    """deploy.md's block, with this test's ports and plain HTTP instead of the certificate."""
    block = deploy_md_nginx_block()
    assert "127.0.0.1:8080" in block and "127.0.0.1:8081" in block
    block = block.replace("127.0.0.1:8080", f"127.0.0.1:{replicas[0]}").replace(
        "127.0.0.1:8081", f"127.0.0.1:{replicas[1]}"
    )
    block = block.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    block = "\n".join(line for line in block.splitlines() if not line.strip().startswith("# ssl_"))
    temp = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log info;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        "    log_format replicas '$status|$request_uri|$upstream_addr|$upstream_status';\n"
        f"    access_log {folder}/access.log replicas;\n{temp}\n{block}\n}}\n"
    )


async def wait_healthy(http: aiohttp.ClientSession, port: int, proc: BotProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            async with http.get(f"http://127.0.0.1:{port}/health") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        if (proc.proc is not None and proc.proc.returncode is not None) or time.monotonic() > deadline:
            raise AssertionError(f"replica on {port} not healthy:\n{proc.log.read_text(errors='replace')[-3000:]}")
        await asyncio.sleep(0.1)


def dti(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def stranger_update(update_id: int, user_id: int, text_: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": "Khách", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Khách"},
            "from": user,
            "text": text_,
        },
    }


async def test_two_webhook_replicas_behind_nginx_lose_and_refuse_nothing_when_one_stops(
    emulator, pg_url, s3_endpoint, tmp_path
):
    if not os.path.exists(NGINX):
        if os.environ.get("DTI_REQUIRE_POSTGRES") == "1":
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    bucket = f"dti-{uuid.uuid4().hex[:8]}"
    s3_client(s3_endpoint).create_bucket(Bucket=bucket)
    proxy_port, ports = free_port(), [free_port(), free_port()]
    public = f"http://127.0.0.1:{proxy_port}"
    shared = {"DTI_DATABASE_URL": pg_url, "DTI_BOT_USERNAME": "dti_sandbox_bot", **s3_environment(s3_endpoint, bucket)}
    replicas = [
        BotProcess(
            emulator.state,
            bot_env(tmp_path / f"replica{n}", emulator.url, **shared),
            tmp_path / f"replica{n}.log",
            ("--webhook-url", public, "--host", "127.0.0.1", "--port", str(port)),
        )
        for n, port in enumerate(ports)
    ]
    folder = tmp_path / "nginx"
    folder.mkdir()
    (folder / "nginx.conf").write_text(nginx_conf(folder, proxy_port, ports))
    nginx = subprocess.Popen(
        [
            NGINX,
            "-p",
            str(folder),
            "-c",
            str(folder / "nginx.conf"),
            "-e",
            str(folder / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            # Both replicas start at once on the empty database: migrations queue, none fails.
            await asyncio.gather(*(replica.start(timeout=60) for replica in replicas))
            for replica, port in zip(replicas, ports, strict=True):
                await wait_healthy(http, port, replica)
            assert emulator.state.webhook == {
                "url": f"{public}/telegram",
                "secret_token": webhook_secret(SANDBOX_TOKEN),
            }

            # The campaign, set up with the CLI on the same database.
            admin = bot_env(tmp_path / "admin", emulator.url, **shared)
            units = tmp_path / "units.csv"
            units.write_text(
                "code,name,cohort,has_public_services\n" + "".join(f"{u},Sở {u},so-nganh,có\n" for u in UNITS)
            )
            dti(admin, "units", "import", str(units))
            dti(admin, "period", "open", "--framework", "dongthap-1397-so", "--year", "2026",
                "--deadline", (date.today() + timedelta(days=30)).isoformat())  # fmt: skip
            invites = {}
            for unit in UNITS:
                out = tmp_path / f"invite-{unit}.csv"
                dti(admin, "people", "invite", "--unit", unit, "--role", "focal_point", "--out", str(out))
                [invites[unit]] = re.findall(r"start=([A-Za-z0-9_-]+)", out.read_text())

            # Focal points through Telegram (the emulator, one delivery at a time) and strangers
            # posting straight to nginx, many at once, as Telegram's parallel connections do.
            statuses: list[int] = []
            headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(SANDBOX_TOKEN)}
            half_done = asyncio.Event()

            async def stranger(n: int) -> None:
                update = stranger_update(50_000_000 + n, 900_000 + n, "/start" if n % 2 else "/help")
                async with http.post(f"{public}/telegram", json=update, headers=headers) as response:
                    statuses.append(response.status)
                if len(statuses) >= STRANGERS // 3:
                    half_done.set()

            async def strangers() -> None:
                gate = asyncio.Semaphore(16)

                async def one(n: int) -> None:
                    async with gate:
                        await stranger(n)

                await asyncio.gather(*(one(n) for n in range(STRANGERS)))

            async def focal_point(n: int, unit: str) -> bytes:
                person = Person(http, emulator.url, 810_000 + n, f"Đầu mối {unit}")
                await person.send(f"/start {invites[unit]}")
                await person.expect(f"Bạn đã được đăng ký làm đầu mối của Sở {unit}", timeout=60)
                await person.press("Tự đánh giá")
                await person.expect("1.1 Người đứng đầu", timeout=60)
                await person.press("Phó Thủ trưởng")
                await person.expect("✅ Đã ghi 1.1", timeout=60)
                document = pdf(f"Quyet dinh {n}/QD-{unit}")
                await person.upload(document, f"quyet-dinh-{unit}.pdf")
                await person.expect("📎 Đã nhận tài liệu kiểm chứng.", timeout=60)
                return document

            async def stop_one_midway() -> None:
                await half_done.wait()
                await replicas[0].stop()

            results = await asyncio.gather(
                strangers(), stop_one_midway(), *(focal_point(n, unit) for n, unit in enumerate(UNITS))
            )
            documents = results[2:]
            assert replicas[0].proc is not None and replicas[0].proc.returncode == 0
            assert "stopped" in replicas[0].log.read_text()

            # Nothing refused: every request through the proxy got its 200 (a request the stopping
            # replica refused went on to the other one).
            assert statuses == [200] * STRANGERS
            access = (folder / "access.log").read_text().splitlines()
            telegram = [line.split("|") for line in access if "|/telegram|" in line]
            assert telegram and all(status == "200" for status, *_ in telegram), access
            # Both replicas answered; a request may have been passed on ("A, B" / "502, 200").
            served_by = {addr.split(",")[-1].strip() for _status, _uri, addr, _up in telegram}
            assert served_by == {f"127.0.0.1:{port}" for port in ports}, access
            passed_on = [line for line in telegram if "," in line[2]]
            print(f"{len(telegram)} webhook requests, {len(passed_on)} passed on to the other replica")
            async with http.get(f"{public}/health") as response:
                assert response.status == 200  # the other replica answers for the service

        # Nothing lost, nothing twice: each stranger had exactly one answer, every update is recorded.
        for n in range(STRANGERS):
            assert emulator.state.chats[900_000 + n].bot_messages_sent == 1, n
        engine = create_async_engine(pg_url)
        try:
            async with engine.connect() as conn:
                recorded = set(
                    (
                        await conn.execute(
                            text("SELECT update_id FROM processed_update WHERE update_id BETWEEN :low AND :high"),
                            {"low": 50_000_000, "high": 50_000_000 + STRANGERS - 1},  # the emulator's ids are larger
                        )
                    )
                    .scalars()
                    .all()
                )
                keys = (await conn.execute(text("SELECT content_key FROM evidence ORDER BY id"))).scalars().all()
        finally:
            await engine.dispose()
        assert recorded == {50_000_000 + n for n in range(STRANGERS)}  # every one of them, once

        # Every upload, whichever replica took it, is in the shared bucket, whole.
        assert sorted(keys) == sorted(hashlib.sha256(d).hexdigest() for d in documents)
        client = s3_client(s3_endpoint)
        for key in keys:
            body = client.get_object(Bucket=bucket, Key=f"evidence/{key[:2]}/{key[2:4]}/{key}")["Body"].read()
            assert hashlib.sha256(body).hexdigest() == key
        assert not any((tmp_path / f"replica{n}" / "evidence").exists() for n in range(2))
    finally:
        for replica in replicas:
            await replica.stop()
        nginx.send_signal(signal.SIGQUIT)
        try:
            nginx.wait(10)
        except subprocess.TimeoutExpired:
            nginx.kill()
            nginx.wait()
