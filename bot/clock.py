"""The time the bot sees: its jobs, and the use cases its handlers call. Production reads the real
clock; the sandbox can move it forward (to see reminders fire for the demo period) without touching
the machine's clock."""

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

    def move_to(self, instant: datetime) -> datetime:
        """Jump forward to `instant` (an aware datetime); an instant already past leaves the clock as
        it is: what was planned and sent at a later time would otherwise be planned again."""
        return self.shift(max(instant - self.now(), timedelta(0)))
