"""The sandbox's web chat in a real browser, on a 360 px phone screen: what a newcomer sees in the
first minutes — pick a persona, answer with a button, move the bot's clock to see a reminder.

Runs `dti-bot sandbox` exactly as the README's first command does, and drives Debian's Chromium
with Playwright. CI installs Chromium and sets DTI_REQUIRE_BROWSER=1 so that it cannot be skipped.
The screenshot of the chat is written, small, to bench/out/web-chat.png; with UPDATE_SCREENSHOTS=1
it also replaces docs/web-chat.png, the picture at the top of the README.
"""

from __future__ import annotations

import io
import os
import re
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
PHONE = {"width": 360, "height": 740}
SCREENSHOT_LIMIT = 60_000  # bytes: the README's picture stays small


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sandbox(tmp_path):
    """The sandbox as a newcomer starts it; yields its URL and a reader of what its terminal shows."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update(DTI_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1")
    path = tmp_path / "sandbox.log"
    log = path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/"
    while "sẵn sàng" not in path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(path.read_text())
        time.sleep(0.2)
    assert url in path.read_text()  # the printed URL is the one to open
    yield url, path.read_text
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def require_chromium() -> None:
    if CHROMIUM is None:
        if os.environ.get("DTI_REQUIRE_BROWSER") == "1":
            pytest.fail("DTI_REQUIRE_BROWSER=1 but chromium is not installed")
        pytest.skip("chromium is not installed (apt-get install chromium)")


def small_png(png: bytes) -> bytes:
    """The screenshot with a 64-colour palette: a chat's flat colours survive, the file is a few dozen KB."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64).save(out, "PNG", optimize=True)
    return out.getvalue()


async def test_a_newcomer_picks_a_persona_on_a_phone_answers_with_a_button_and_sees_a_reminder(sandbox):
    require_chromium()
    from playwright.async_api import async_playwright

    url, terminal = sandbox
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport=PHONE)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # e.g. a 404
        await page.goto(url)
        await page.wait_for_selector("#clockbar:not([hidden])")
        assert not await page.is_visible("#composer")  # nothing to type into before a persona is chosen
        bot_time = await page.inner_text("#clock-label")
        assert re.fullmatch(r"🕗 (T[2-7]|CN) \d\d/\d\d \d\d:\d\d", bot_time), bot_time
        taps = 0

        await page.click("text=Trần Văn Hùng")  # focal point of a commune
        taps += 1
        await page.wait_for_selector("text=Menu chính", timeout=20_000)
        assert await page.is_visible("#composer")
        await page.click(".keyboard button:has-text('Tự đánh giá')")
        taps += 1
        await page.wait_for_selector("text=1.1 Người đứng đầu", timeout=20_000)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
        shot = small_png(await page.screenshot())  # the question card with its answers: the README's picture
        await page.click(".keyboard button:has-text('Thủ trưởng đơn vị làm Trưởng ban')")
        taps += 1
        await page.wait_for_selector("text=Đã ghi 1.1: 8/8 điểm", timeout=20_000)

        await page.click("#to-deadline")  # the bot's clock to the deadline's morning: the reminder comes
        taps += 1
        await page.wait_for_selector("text=hôm nay là hạn chót", timeout=20_000)
        moved = await page.inner_text("#clock-label")
        assert moved != bot_time and moved.endswith("08:00")
        separators = await page.locator(".day").all_inner_texts()
        assert len(separators) == 2 and separators[-1].startswith(moved.split()[1])  # the bot's day, not the machine's
        stamps = await page.locator(".msg time").all_inner_texts()
        assert stamps[-1] == "08:00"  # the reminder's time is the bot's
        favicon = await page.request.get(url + "favicon.ico")
        assert favicon.ok and b"<svg" in await favicon.body()
        await browser.close()

    assert errors == []
    assert taps == 4
    assert shot.startswith(b"\x89PNG") and 10_000 < len(shot) < SCREENSHOT_LIMIT
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "web-chat.png").write_bytes(shot)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        (ROOT / "docs" / "web-chat.png").write_bytes(shot)
    # The terminal: the address, then what happened (the clock moved, reminders sent), no routine lines.
    lines = terminal().splitlines()
    assert "apscheduler" not in terminal() and "alembic" not in terminal() and "Update id=" not in terminal()
    assert any("clock moved to" in line for line in lines) and len(lines) < 15, lines
