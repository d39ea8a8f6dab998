"""The time the bot's jobs see. Production reads the real clock; the sandbox can move it forward
(to see reminders fire for the demo period) without touching the machine's clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.types import utcnow


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return utcnow() + self.offset

    def shift(self, delta: timedelta) -> datetime:
        self.offset += delta
        return self.now()
