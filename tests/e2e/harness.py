"""End-to-end harness: the Bot API emulator in this process, the real bot as a child process
(`python -m bot run`, so it can be killed), and a person's side of the chat over HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.server import SANDBOX_TOKEN, build_app
from bot.sandbox.state import SandboxState

ROOT = Path(__file__).resolve().parents[2]


class Emulator:
    def __init__(self) -> None:
        self.app, self.state, self.faults = build_app(SANDBOX_TOKEN, personas=[])
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app, shutdown_timeout=1.0)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


class BotProcess:
    """`python -m bot run` against the emulator, with its own data folder."""

    def __init__(self, state: SandboxState, env: dict[str, str], log: Path, args: tuple[str, ...] = ()) -> None:
        self.state, self.env, self.log, self.args = state, env, log, args
        self.proc: asyncio.subprocess.Process | None = None

    def ready(self, polls_before: int) -> bool:
        if "--webhook-url" in self.args:
            return bool(self.state.webhook.get("url"))
        return self.state.polls > polls_before

    async def start(self, timeout: float = 30) -> None:
        polls = self.state.polls
        handle = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *self.args, env=self.env, cwd=str(ROOT), stdout=handle, stderr=handle
        )
        handle.close()
        deadline = time.monotonic() + timeout
        while not self.ready(polls):  # the bot is polling, or has set its webhook
            if self.proc.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """SIGKILL: no cleanup at all, as when the machine loses power."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def bot_env(data_dir: Path, api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update(
        {
            "DTI_DATA_DIR": str(data_dir),
            "DTI_BOT_TOKEN": SANDBOX_TOKEN,
            "DTI_TELEGRAM_API_URL": api_url,
            "DTI_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


class Person:
    """A person's side of the chat, through the emulator's user API."""

    def __init__(self, http: aiohttp.ClientSession, base: str, user_id: int, name: str = "Người dùng") -> None:
        self.http, self.base, self.user_id, self.name = http, base, user_id, name
        self.seen = 0
        self.messages: dict[int, dict[str, Any]] = {}
        self.toasts: list[str] = []
        self.pending: list[dict[str, Any]] = []

    async def _post(self, path: str, **body: Any) -> dict[str, Any]:
        url = f"{self.base}/sandbox/api/chats/{self.user_id}/{path}"
        async with self.http.post(url, json={"first_name": self.name, **body}) as response:
            response.raise_for_status()
            return await response.json()

    async def send(self, text: str, update_id: int | None = None) -> dict[str, Any]:
        return await self._post("send", text=text, **({"update_id": update_id} if update_id else {}))

    def button(self, label: str) -> tuple[int, str]:
        """The newest bot message with a button whose text contains `label`."""
        for message in sorted(self.messages.values(), key=lambda m: -m["message_id"]):
            if message.get("deleted") or not message.get("from", {}).get("is_bot"):
                continue
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if label in button["text"]:
                        return message["message_id"], button["callback_data"]
        raise AssertionError(f"no button {label!r}; last message: {self.last_text()[:500]}")

    async def press(self, label: str) -> None:
        message_id, data = self.button(label)
        await self._post("press", message_id=message_id, data=data)

    async def press_data(self, message_id: int, data: str) -> None:
        await self._post("press", message_id=message_id, data=data)

    async def upload(
        self,
        data: bytes,
        name: str,
        kind: str = "document",
        mime: str = "application/pdf",
        group: str | None = None,
        declared_size: int | None = None,
    ) -> dict[str, Any]:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=name, content_type=mime)
        form.add_field("kind", kind)
        form.add_field("first_name", self.name)
        if group:
            form.add_field("media_group_id", group)
        if declared_size:
            form.add_field("declared_size", str(declared_size))
        async with self.http.post(f"{self.base}/sandbox/api/chats/{self.user_id}/upload", data=form) as response:
            response.raise_for_status()
            return await response.json()

    async def _pull(self, wait: float) -> None:
        url = f"{self.base}/sandbox/api/chats/{self.user_id}/events?after={self.seen}&wait={wait}"
        async with self.http.get(url) as response:
            events = (await response.json())["events"]
        for event in events:
            self.seen = max(self.seen, event["seq"])
            if event["kind"] == "toast":
                self.toasts.append(event["message"]["text"])
            else:
                self.messages[event["message"]["message_id"]] = event["message"]
            self.pending.append(event)

    async def expect(self, needle: str, timeout: float = 15) -> dict[str, Any]:
        """Wait until the bot shows — sends, edits to, or pops up — a text containing `needle`.
        Events are consumed in order: what came before the match is skipped."""
        deadline = time.monotonic() + timeout
        while True:
            for n, event in enumerate(self.pending):
                message = event["message"]
                from_bot = event["kind"] == "toast" or message.get("from", {}).get("is_bot")
                if from_bot and needle in (message.get("text") or message.get("caption") or ""):
                    del self.pending[: n + 1]
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"bot never showed {needle!r}; last: {self.last_text()[:800]}")
            await self._pull(min(remaining, 2.0))

    async def expect_button(self, label: str, timeout: float = 15) -> None:
        """Wait until a bot message carries a button whose text contains `label`."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.button(label)
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
            await self._pull(0.5)

    async def quiet(self, seconds: float = 1.0) -> list[dict[str, Any]]:
        """Everything the bot shows within `seconds` (to check that nothing comes)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            await self._pull(min(remaining, 0.5))
        shown, self.pending = self.pending, []
        return shown

    def last_text(self) -> str:
        bot_messages = [m for m in self.messages.values() if m.get("from", {}).get("is_bot")]
        if not bot_messages:
            return ""
        last = max(bot_messages, key=lambda m: m["message_id"])
        return last.get("text") or last.get("caption") or ""  # a document or a photo has no text
