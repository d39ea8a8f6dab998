"""Faults on demand (429 with retry_after, 500, slow answers, answers that are not JSON, updates
Telegram would never send) and Telegram's sending limits."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"}
# What a proxy in front of the Bot API answers when it fails: (status, content type, body).
_NGINX = (
    "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n<center><h1>{0}</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
NOT_JSON = {
    "html502": (502, "text/html", _NGINX.format("502 Bad Gateway")),
    "html504": (504, "text/html", _NGINX.format("504 Gateway Time-out")),
    "empty": (200, "application/json", ""),
}
# How `Faults.malform` spoils an update as it is served (the stored one keeps its id and order).
MALFORMATIONS = ("no_chat", "text_number", "date_word", "update_id_string", "update_id_word")


@dataclass
class FaultRule:
    method: str = "*"  # a Bot API method name, or * for any
    kind: str = "500"  # 429, 500, 502, delay, network, html502, html504, empty
    count: int = 1  # how many requests it hits (-1: until cleared)
    retry_after: int = 1
    delay: float = 0.0  # seconds, for delay (cut short by Faults.release or clear)
    chat_id: int | None = None  # only requests for this chat

    def matches(self, method: str, chat_id: int | None = None) -> bool:
        return self.count != 0 and self.method in ("*", method) and (self.chat_id is None or self.chat_id == chat_id)


@dataclass
class Limits:
    """Telegram's limits: ~30 messages/s overall and 1 message/s per chat; beyond them, 429."""

    global_per_second: int = 30
    per_chat_per_second: float = 1.0
    _recent: deque[float] = field(default_factory=deque)
    _last_by_chat: dict[int, float] = field(default_factory=dict)

    def check(self, chat_id: int | None, now: float) -> int | None:
        """None when the send may go; otherwise the retry_after to answer with."""
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.global_per_second:
            return 1
        if chat_id is not None:
            last = self._last_by_chat.get(chat_id)
            if last is not None and now - last < 1.0 / self.per_chat_per_second:
                return 1
            self._last_by_chat[chat_id] = now
        self._recent.append(now)
        return None


class Faults:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.limits: Limits | None = None
        self.malformed: dict[int, str] = {}  # update id → how it is spoiled when served
        self._release: asyncio.Event | None = None

    def configure(self, rules: list[dict[str, Any]], limits: dict[str, Any] | None) -> None:
        self.rules = [FaultRule(**r) for r in rules]
        self.limits = Limits(**limits) if limits else None

    def clear(self) -> None:
        self.rules, self.limits = [], None
        self.malformed.clear()
        self.release()

    def release(self) -> None:
        """End every delay in progress now (a test need not sit through a 30 s one)."""
        if self._release is not None:
            self._release.set()
            self._release = None

    async def pause(self, seconds: float) -> None:
        if self._release is None:
            self._release = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), seconds)

    def malform(self, update_id: int, how: str) -> None:
        """Serve update `update_id` spoiled, every time it is delivered, until cleared."""
        if how not in MALFORMATIONS:
            raise ValueError(f"unknown malformation {how!r}; one of {MALFORMATIONS}")
        self.malformed[update_id] = how

    def served(self, update: dict[str, Any]) -> dict[str, Any]:
        how = self.malformed.get(update["update_id"])
        if how is None:
            return update
        spoiled = copy.deepcopy(update)
        message = spoiled.get("message") or {}
        if how == "no_chat":
            message.pop("chat", None)
        elif how == "text_number":
            message["text"] = 12345
        elif how == "date_word":
            message["date"] = "yesterday"
        elif how == "update_id_string":
            spoiled["update_id"] = str(update["update_id"])
        elif how == "update_id_word":
            spoiled["update_id"] = f"upd-{update['update_id']}"
        return spoiled

    def take(self, method: str, chat_id: int | None = None) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, chat_id):
                if rule.count > 0:
                    rule.count -= 1
                return rule
        return None

    def over_limit(self, method: str, chat_id: int | None) -> int | None:
        if self.limits is None or method not in SEND_METHODS:
            return None
        return self.limits.check(chat_id, time.monotonic())
