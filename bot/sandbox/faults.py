"""Faults on demand (429 with retry_after, 500, slow answers) and Telegram's sending limits."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"}


@dataclass
class FaultRule:
    method: str = "*"  # a Bot API method name, or * for any
    kind: str = "500"  # 429, 500, 502, delay, network
    count: int = 1  # how many requests it hits (-1: until cleared)
    retry_after: int = 1
    delay: float = 0.0

    def matches(self, method: str) -> bool:
        return self.count != 0 and self.method in ("*", method)


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

    def configure(self, rules: list[dict[str, Any]], limits: dict[str, Any] | None) -> None:
        self.rules = [FaultRule(**r) for r in rules]
        self.limits = Limits(**limits) if limits else None

    def clear(self) -> None:
        self.rules, self.limits = [], None

    def take(self, method: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method):
                if rule.count > 0:
                    rule.count -= 1
                return rule
        return None

    def over_limit(self, method: str, chat_id: int | None) -> int | None:
        if self.limits is None or method not in SEND_METHODS:
            return None
        return self.limits.check(chat_id, time.monotonic())
