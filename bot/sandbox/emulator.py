"""The Bot API methods the bot uses, over real HTTP, answering with Telegram's JSON and errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.faults import NOT_JSON, Faults
from bot.sandbox.markup import BadRequest, check_text, parse_markup
from bot.sandbox.state import Chat, SandboxState

logger = logging.getLogger(__name__)
MAX_DOWNLOAD = 20 * 1024 * 1024


def ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def error(code: int, description: str, **parameters: Any) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


class BotApi:
    """Routes /bot<token>/<method> and /file/bot<token>/<path>."""

    def __init__(self, state: SandboxState, token: str, faults: Faults) -> None:
        self.state, self.token, self.faults = state, token, faults
        self._poll_generation = 0
        self._poll_changed = asyncio.Event()  # replaced by each new getUpdates (see SandboxState.update_arrived)
        self._webhook_task: asyncio.Task[None] | None = None

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self.dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)

    async def close(self) -> None:
        if self._webhook_task:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.state.stats["requests"] += 1
        if request.match_info["token"] != self.token:
            return error(401, "Unauthorized")
        method = request.match_info["method"]
        handler = getattr(self, f"m_{method}", None)
        if handler is None:
            return error(404, "Not Found: method not found")
        params, files = await self._params(request)
        chat_id = _int(params.get("chat_id"))
        rule = self.faults.take(method, chat_id)
        if rule is not None:
            if rule.kind == "delay":
                await self.faults.pause(rule.delay)
            elif rule.kind in NOT_JSON:
                status, content_type, body = NOT_JSON[rule.kind]
                return web.Response(status=status, text=body, content_type=content_type)
            elif rule.kind == "429":
                self.state.stats["429"] += 1
                return error(429, f"Too Many Requests: retry after {rule.retry_after}", retry_after=rule.retry_after)
            elif rule.kind == "network":
                if request.transport is not None:  # the connection drops without an answer
                    request.transport.abort()
                return web.Response(status=503)
            else:
                code = int(rule.kind)
                self.state.stats[str(code)] = self.state.stats.get(str(code), 0) + 1
                descriptions = {403: "Forbidden: bot was blocked by the user", 400: "Bad Request: injected fault"}
                return error(code, descriptions.get(code, "Internal Server Error"))
        retry_after = self.faults.over_limit(method, chat_id)
        if retry_after is not None:
            self.state.stats["429"] += 1
            return error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        try:
            return await handler(params, files)
        except BadRequest as exc:
            return error(400, exc.description)

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, Any] = {}
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.content_type, value.file.read())
                else:
                    params[key] = value
        return params, files

    def _chat(self, params: dict[str, Any]) -> Chat:
        chat_id = _int(params.get("chat_id"))
        if chat_id is None or chat_id <= 0:
            raise BadRequest("Bad Request: chat not found")
        chat = self.state.user(chat_id)
        if chat.blocked:
            raise _Forbidden
        return chat

    async def _send(self, params: dict[str, Any], method: str, **content: Any) -> web.Response:
        try:
            chat = self._chat(params)
        except _Forbidden:
            self.state.stats["403"] += 1
            return error(403, "Forbidden: bot was blocked by the user")
        markup = parse_markup(params.get("reply_markup"))
        if markup:
            content["reply_markup"] = markup
        message = self.state.new_message(chat, from_bot=True, **content)
        chat.bot_messages_sent += 1
        self.state.sent_log.append((time.monotonic(), chat.user["id"], method))
        await self.state.emit(chat, "message", message)
        return ok(message)

    # -- updates ---------------------------------------------------------------------------------
    async def m_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        return ok(
            {
                **self.state.bot,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def m_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        if self.state.webhook.get("url"):
            return error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self.state.polls += 1
        offset, limit = _int(params.get("offset")) or 0, _int(params.get("limit")) or 100
        timeout = float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        changed, self._poll_changed = self._poll_changed, asyncio.Event()
        changed.set()  # an older poll still waiting ends with 409
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                return error(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            arrived, superseded = self.state.update_arrived, self._poll_changed  # before looking
            updates = self.state.pending_updates(offset, limit)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0:
                return ok([self.faults.served(u) for u in updates] if self.faults.malformed else updates)
            waiters = {asyncio.ensure_future(arrived.wait()), asyncio.ensure_future(superseded.wait())}
            await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            for task in waiters:
                task.cancel()

    async def m_setWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        url = params.get("url", "")
        self.state.webhook = {"url": url, "secret_token": params.get("secret_token", "")} if url else {}
        if params.get("drop_pending_updates") in ("true", True):
            self.state.updates.clear()
        if url and self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._deliver_webhooks())
        return ok(True)

    async def m_deleteWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        self.state.webhook = {}
        if params.get("drop_pending_updates") in ("true", True):
            self.state.updates.clear()
        return ok(True)

    async def m_getWebhookInfo(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        return ok(
            {
                "url": self.state.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self.state.updates),
            }
        )

    async def _deliver_webhooks(self) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                url = self.state.webhook.get("url")
                if not url or not self.state.updates:
                    await asyncio.sleep(0.05)
                    continue
                update = self.state.updates[0]
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.state.webhook.get("secret_token", "")}
                try:
                    async with http.post(url, json=update, headers=headers) as response:
                        delivered = response.status == 200
                except aiohttp.ClientError:
                    delivered = False
                if delivered:
                    self.state.updates.pop(0)
                else:
                    await asyncio.sleep(0.5)

    # -- messages --------------------------------------------------------------------------------
    async def m_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        text, mode = params.get("text", ""), params.get("parse_mode")
        check_text(text, mode)
        return await self._send(params, "sendMessage", text=text, **({"parse_mode": mode} if mode else {}))

    async def m_editMessageText(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        chat, message = self._message(params)
        if "text" not in message:  # a photo or a file: as Telegram, only its caption can be edited
            raise BadRequest("Bad Request: there is no text in the message to edit")
        text, mode = params.get("text", ""), params.get("parse_mode")
        check_text(text, mode)
        markup = parse_markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message["text"], message["edit_date"] = text, int(time.time())
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        await self.state.emit(chat, "edit", message)
        return ok(message)

    async def m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        chat, message = self._message(params)
        markup = parse_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise BadRequest("Bad Request: message is not modified")
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        await self.state.emit(chat, "edit", message)
        return ok(message)

    async def m_deleteMessage(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        chat, message = self._message(params)
        message["deleted"] = True
        await self.state.emit(chat, "delete", message)
        return ok(True)

    def _message(self, params: dict[str, Any]) -> tuple[Chat, dict[str, Any]]:
        chat = self.state.chats.get(_int(params.get("chat_id")) or 0)
        message = chat.messages.get(_int(params.get("message_id")) or 0) if chat else None
        if chat is None or message is None or message.get("deleted"):
            raise BadRequest("Bad Request: message to edit not found")
        return chat, message

    async def m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        query_id = str(params.get("callback_query_id", ""))
        user_id = _int(query_id.split(":")[0]) if ":" in query_id else None
        if user_id is None or user_id not in self.state.chats:
            raise BadRequest("Bad Request: query is too old and response timeout expired or query ID is invalid")
        if params.get("text"):
            chat = self.state.chats[user_id]
            await self.state.emit(chat, "toast", {"text": params["text"], "show_alert": params.get("show_alert")})
        return ok(True)

    async def m_sendChatAction(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        return ok(True)

    async def m_setMyCommands(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        raw = params.get("commands", "[]")
        self.state.commands = json.loads(raw) if isinstance(raw, str) else raw
        return ok(True)

    async def m_deleteMyCommands(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        self.state.commands = []
        return ok(True)

    # -- files -----------------------------------------------------------------------------------
    def _input_file(self, value: Any, files: dict[str, Any], default_name: str) -> dict[str, Any]:
        if isinstance(value, str) and value.startswith("attach://"):
            value = files.get(value.removeprefix("attach://"))
        if isinstance(value, str):
            stored = self.state.files.get(value)
            if stored is None:
                raise BadRequest("Bad Request: wrong file identifier/HTTP URL specified")
        elif isinstance(value, tuple):
            name, mime, data = value
            stored = self.state.store_file(data, name or default_name, mime or "application/octet-stream")
        else:
            raise BadRequest("Bad Request: there is no file in the request")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
        }

    def _photo_sizes(self, info: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "file_id": info["file_id"],
                "file_unique_id": info["file_unique_id"],
                "file_size": info["file_size"],
                "width": 1280,
                "height": 960,
            }
        ]

    async def m_sendPhoto(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        info = self._input_file(params.get("photo") or files.get("photo"), files, "photo.jpg")
        caption, mode = params.get("caption"), params.get("parse_mode")
        check_text(caption, mode, caption=True)
        extra = {"caption": caption} if caption else {}
        return await self._send(params, "sendPhoto", photo=self._photo_sizes(info), **extra)

    async def m_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        info = self._input_file(params.get("document") or files.get("document"), files, "document")
        caption, mode = params.get("caption"), params.get("parse_mode")
        check_text(caption, mode, caption=True)
        extra = {"caption": caption} if caption else {}
        return await self._send(params, "sendDocument", document=info, **extra)

    async def m_sendMediaGroup(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        media = json.loads(params.get("media", "[]"))
        if not 2 <= len(media) <= 10:
            raise BadRequest("Bad Request: wrong number of media in the group")
        group_id = str(int(time.time() * 1000))
        sent = []
        for item in media:
            info = self._input_file(item.get("media"), files, "file")
            content: dict[str, Any] = {"media_group_id": group_id}
            if item.get("caption"):
                content["caption"] = item["caption"]
            if item.get("type") == "photo":
                content["photo"] = self._photo_sizes(info)
            else:
                content["document"] = info
            response = await self._send(params, "sendMediaGroup", **content)
            if response.status != 200:
                return response
            sent.append(json.loads(response.body)["result"])
        return ok(sent)

    async def m_getFile(self, params: dict[str, Any], files: dict[str, Any]) -> web.Response:
        stored = self.state.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise BadRequest("Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise BadRequest("Bad Request: file is too big")
        return ok(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
                "file_path": stored.path,
            }
        )

    async def download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return error(401, "Unauthorized")
        file_id = request.match_info["path"].removeprefix("files/")
        stored = self.state.files.get(file_id)
        if stored is None:
            return error(404, "Not Found")
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


class _Forbidden(Exception):
    pass


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
