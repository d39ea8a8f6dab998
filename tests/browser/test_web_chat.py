"""The sandbox's web chat in a real browser: pick a persona, answer with a button, take a screenshot.

Runs `dti-bot sandbox` exactly as the README's first command does, and drives Debian's Chromium
with Playwright. CI installs Chromium and sets DTI_REQUIRE_BROWSER=1 so that it cannot be skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sandbox_url(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update(DTI_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    log = (tmp_path / "sandbox.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/"
    while (
        "Sandbox ready" not in (tmp_path / "sandbox.log").read_text()
        and "sẵn sàng" not in (tmp_path / "sandbox.log").read_text()
    ):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError((tmp_path / "sandbox.log").read_text())
        time.sleep(0.2)
    assert url in (tmp_path / "sandbox.log").read_text()  # the printed URL is the one to open
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


async def test_a_person_opens_the_web_chat_picks_a_persona_and_answers_with_a_button(sandbox_url, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("DTI_REQUIRE_BROWSER") == "1":
            pytest.fail("DTI_REQUIRE_BROWSER=1 but chromium is not installed")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 420, "height": 860})
        await page.goto(sandbox_url)
        await page.click("text=Trần Văn Hùng")  # focal point of a commune
        await page.wait_for_selector("text=Menu chính", timeout=20_000)
        await page.click(".keyboard button:has-text('Tự đánh giá')")
        await page.wait_for_selector("text=1.1 Người đứng đầu", timeout=20_000)
        await page.click(".keyboard button:has-text('Thủ trưởng đơn vị làm Trưởng ban')")
        await page.wait_for_selector("text=Đã ghi 1.1: 8/8 điểm", timeout=20_000)
        shot = tmp_path / "web-chat.png"
        await page.screenshot(path=str(shot), full_page=True)
        await browser.close()
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    shutil.copy(shot, out / "web-chat.png")
