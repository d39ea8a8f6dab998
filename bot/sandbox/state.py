"""In-memory state of the emulated Bot API: users, chats with their history, files, updates."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str = ""
    mime_type: str = ""

    @property
    def path(self) -> str:
        return f"files/{self.file_id}"


@dataclass
class ChatEvent:
    seq: int
    kind: str  # message, edit, delete, toast
    message: dict[str, Any]


@dataclass
class Chat:
    user: dict[str, Any]
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    blocked: bool = False
    bot_messages_sent: int = 0


class SandboxState:
    def __init__(self, bot_id: int = 7_000_000_001, bot_username: str = "dti_sandbox_bot") -> None:
        self.bot = {"id": bot_id, "is_bot": True, "first_name": "DTI Bot", "username": bot_username}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates: list[dict[str, Any]] = []
        self.confirmed_offset = 0
        # Update ids go on from one emulator run to the next (microseconds since the epoch at start),
        # as Telegram's do: an installation that already handled update 1 of an earlier rehearsal
        # would take a new update 1 for a replay and drop it.
        self._update_ids = itertools.count(time.time_ns() // 1000)
        self._file_ids = itertools.count(1)
        self._seq = itertools.count(1)
        # Replaced on every new update: a poller takes the current one *before* looking at the
        # queue, so an update pushed between its look and its wait still wakes it.
        self.update_arrived = asyncio.Event()
        self.new_event = asyncio.Condition()
        self.webhook: dict[str, Any] = {}
        self.commands: list[dict[str, Any]] = []
        self.stats: dict[str, int] = {"requests": 0, "429": 0, "500": 0, "403": 0}
        self.sent_log: list[tuple[float, int, str]] = []  # (time, chat, method) of every bot send
        self.polls = 0  # getUpdates requests received
        self.redeliver: list[dict[str, Any]] = []  # updates Telegram sends again (a lost confirmation)
        # The `date` of new messages, in Unix seconds: the sandbox sets the bot's clock, which it can move.
        self.now: Callable[[], float] = time.time

    # users and chats -------------------------------------------------------------------------
    def user(self, user_id: int, first_name: str = "", last_name: str = "", username: str = "") -> Chat:
        chat = self.chats.get(user_id)
        if chat is None:
            user = {"id": user_id, "is_bot": False, "first_name": first_name or f"User {user_id}"}
            if last_name:
                user["last_name"] = last_name
            if username:
                user["username"] = username
            user["language_code"] = "vi"
            chat = self.chats[user_id] = Chat(user=user)
        return chat

    def chat_json(self, chat: Chat) -> dict[str, Any]:
        out = {"id": chat.user["id"], "type": "private", "first_name": chat.user["first_name"]}
        if "username" in chat.user:
            out["username"] = chat.user["username"]
        return out

    # messages and events -----------------------------------------------------------------------
    def new_message(self, chat: Chat, from_bot: bool, **content: Any) -> dict[str, Any]:
        message = {
            # Numbered per chat, as Telegram numbers a private chat's messages (both sides): the bot
            # reads how far a message has scrolled from the difference of two ids.
            "message_id": len(chat.messages) + 1,
            "from": self.bot if from_bot else chat.user,
            "chat": self.chat_json(chat),
            "date": int(self.now()),
            **content,
        }
        chat.messages[message["message_id"]] = message
        return message

    async def emit(self, chat: Chat, kind: str, message: dict[str, Any]) -> None:
        chat.events.append(ChatEvent(next(self._seq), kind, message))
        async with self.new_event:
            self.new_event.notify_all()

    # updates ----------------------------------------------------------------------------------
    async def push_update(self, payload: dict[str, Any], update_id: int | None = None) -> dict[str, Any]:
        update = {"update_id": update_id if update_id is not None else next(self._update_ids), **payload}
        self.updates.append(update)
        self._wake_pollers()
        return update

    def _wake_pollers(self) -> None:
        arrived, self.update_arrived = self.update_arrived, asyncio.Event()
        arrived.set()

    def pending_updates(self, offset: int, limit: int) -> list[dict[str, Any]]:
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if self.redeliver:
            again, self.redeliver = self.redeliver, []
            return again[:limit]
        return self.updates[:limit]

    async def push_redelivery(self, update: dict[str, Any]) -> None:
        """Deliver an update again regardless of the confirmed offset, as Telegram does when a
        confirmation is lost."""
        self.redeliver.append(update)
        self._wake_pollers()

    # files ------------------------------------------------------------------------------------
    def store_file(self, data: bytes, file_name: str = "", mime_type: str = "", unique_salt: str = "") -> StoredFile:
        unique = hashlib.sha256(unique_salt.encode() + data).hexdigest()[:16]
        stored = StoredFile(f"F{next(self._file_ids):06d}{unique[:8]}", f"U{unique}", data, file_name, mime_type)
        self.files[stored.file_id] = stored
        return stored
