"""What a person (the web chat page) or a test does on the user's side: send text, press a button,
upload a file, read the chat; plus the knobs of the emulator (faults, limits, blocked users)."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from aiohttp import web

from bot.sandbox.faults import Faults
from bot.sandbox.state import Chat, SandboxState

STATIC = Path(__file__).resolve().parent / "static"


class ClockControl(Protocol):
    """The bot's clock as the chat page moves it (bot.sandbox.runner.SandboxClock)."""

    def view(self) -> dict[str, Any]: ...

    async def move(self, where: str) -> dict[str, Any]: ...


class ClientApi:
    def __init__(self, state: SandboxState, faults: Faults, personas: list[dict[str, Any]]) -> None:
        self.state, self.faults, self.personas = state, faults, personas
        self._callback_ids = itertools.count(1)
        self.clock_control: ClockControl | None = None  # set by the sandbox runner (not --emulator-only)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self.index)
        app.router.add_get("/favicon.ico", self.favicon)  # what a browser asks for without a <link>
        app.router.add_static("/static", STATIC)
        api = "/sandbox/api"
        app.router.add_get(f"{api}/personas", self.get_personas)
        app.router.add_post(f"{api}/chats/{{user_id}}/send", self.send_text)
        app.router.add_post(f"{api}/chats/{{user_id}}/press", self.press)
        app.router.add_post(f"{api}/chats/{{user_id}}/upload", self.upload)
        app.router.add_get(f"{api}/chats/{{user_id}}/events", self.events)
        app.router.add_post(f"{api}/chats/{{user_id}}/block", self.block)
        app.router.add_get(f"{api}/files/{{file_id}}", self.file)
        app.router.add_post(f"{api}/updates", self.raw_update)
        app.router.add_post(f"{api}/faults", self.set_faults)
        app.router.add_get(f"{api}/stats", self.stats)
        app.router.add_get(f"{api}/sent", self.sent)
        app.router.add_get(f"{api}/clock", self.clock)
        app.router.add_post(f"{api}/clock", self.move_clock)

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html")

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "favicon.svg")

    async def get_personas(self, request: web.Request) -> web.Response:
        return web.json_response({"bot": self.state.bot, "personas": self.personas})

    def _chat(self, request: web.Request, body: dict[str, Any] | None = None) -> Chat:
        user_id = int(request.match_info["user_id"])
        body = body or {}
        return self.state.user(user_id, body.get("first_name", ""), body.get("last_name", ""), body.get("username", ""))

    async def send_text(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat = self._chat(request, body)
        message = self.state.new_message(chat, from_bot=False, text=body["text"], **_entities(body["text"]))
        await self.state.emit(chat, "message", message)
        update = await self.state.push_update({"message": message}, body.get("update_id"))
        return web.json_response({"message": message, "update_id": update["update_id"]})

    async def press(self, request: web.Request) -> web.Response:
        body = await request.json()
        chat = self._chat(request, body)
        message = chat.messages.get(int(body.get("message_id", 0)))
        if message is None:
            raise web.HTTPNotFound(text="no such message")
        query = {
            "id": f"{chat.user['id']}:{next(self._callback_ids)}",
            "from": chat.user,
            "message": message,
            "chat_instance": str(chat.user["id"]),
            "data": body["data"],
        }
        update = await self.state.push_update({"callback_query": query}, body.get("update_id"))
        return web.json_response({"update_id": update["update_id"]})

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        chat = self._chat(request, {k: v for k, v in form.items() if isinstance(v, str)})
        field = form["file"]
        assert isinstance(field, web.FileField)
        data = field.file.read()
        declared = int(form["declared_size"]) if form.get("declared_size") else None
        name = unquote(field.filename or "file")  # Telegram passes the name as the person's device gave it
        stored = self.state.store_file(data, name, field.content_type or "")
        info = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": declared or len(data)}
        content: dict[str, Any] = {}
        if form.get("kind") == "photo":
            content["photo"] = [{**info, "width": 1280, "height": 960}]
        else:
            content["document"] = {**info, "file_name": stored.file_name, "mime_type": stored.mime_type}
        if form.get("caption"):
            content["caption"] = form["caption"]
        if form.get("media_group_id"):
            content["media_group_id"] = form["media_group_id"]
        message = self.state.new_message(chat, from_bot=False, **content)
        await self.state.emit(chat, "message", message)
        update = await self.state.push_update({"message": message})
        return web.json_response({"message": message, "update_id": update["update_id"]})

    async def events(self, request: web.Request) -> web.Response:
        chat = self._chat(request)
        after = int(request.query.get("after", 0))
        wait = min(float(request.query.get("wait", 0)), 30.0)
        deadline = time.monotonic() + wait
        while True:
            fresh = [e for e in chat.events if e.seq > after]
            remaining = deadline - time.monotonic()
            if fresh or remaining <= 0:
                return web.json_response(
                    {"events": [{"seq": e.seq, "kind": e.kind, "message": e.message} for e in fresh]}
                )
            try:
                async with self.state.new_event:
                    await asyncio.wait_for(self.state.new_event.wait(), timeout=remaining)
            except TimeoutError:
                pass

    async def block(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._chat(request).blocked = bool(body.get("blocked", True))
        return web.json_response({"ok": True})

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=stored.data,
            content_type=stored.mime_type or "application/octet-stream",
            headers={"Content-Disposition": "inline"},
        )

    async def raw_update(self, request: web.Request) -> web.Response:
        """Inject an update as given (tests: forged callback data), or with `"redeliver": true`
        deliver it again though its id was confirmed (a replay)."""
        body = await request.json()
        if body.pop("redeliver", False):
            await self.state.push_redelivery(body)
            return web.json_response({"update_id": body["update_id"]})
        update_id = body.pop("update_id", None)
        update = await self.state.push_update(body, update_id)
        return web.json_response({"update_id": update["update_id"]})

    async def set_faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.faults.configure(body.get("rules", []), body.get("limits"))
        return web.json_response({"ok": True})

    async def stats(self, request: web.Request) -> web.Response:
        chats = {uid: c.bot_messages_sent for uid, c in self.state.chats.items() if c.bot_messages_sent}
        return web.json_response(
            {**self.state.stats, "pending_updates": len(self.state.updates), "messages_by_chat": chats}
        )

    async def clock(self, request: web.Request) -> web.Response:
        """The bot's clock: {"now", "epoch", "label"}, or {"now": null} with --emulator-only (no bot)."""
        if self.clock_control is None:
            return web.json_response({"now": None})
        return web.json_response(self.clock_control.view())

    async def move_clock(self, request: web.Request) -> web.Response:
        """Move the bot's clock forward (sandbox only), to see reminders fire: {"to": "next_morning"}
        (the next working day at 08:00) or {"to": "deadline"} (the open period's deadline morning)."""
        if self.clock_control is None:
            raise web.HTTPNotFound(text="no clock in this process")
        where = (await request.json()).get("to", "next_morning")
        if where not in ("next_morning", "deadline"):
            raise web.HTTPBadRequest(text="to: next_morning or deadline")
        return web.json_response(await self.clock_control.move(where))

    async def sent(self, request: web.Request) -> web.Response:
        return web.json_response({"sent": self.state.sent_log})


def _entities(text: str) -> dict[str, Any]:
    if text.startswith("/"):
        command = text.split()[0]
        return {"entities": [{"type": "bot_command", "offset": 0, "length": len(command)}]}
    return {}
