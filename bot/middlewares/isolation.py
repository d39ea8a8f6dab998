"""One update at a time per person, in the order they arrived; different people at once.

The poller hands a whole batch to the dispatcher concurrently; without this, two quick taps of one
person could race through the same use case. aiogram offers the same through its FSM machinery,
which this bot does not use (conversation state lives in the database): a lock per person is all
that is needed, and it is dropped as soon as nobody waits on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject


class OnePerPerson(BaseMiddleware):
    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        lock, users = self._locks.get(user.id) or (asyncio.Lock(), 0)
        self._locks[user.id] = (lock, users + 1)
        try:
            async with lock:
                return await handler(event, data)
        finally:
            lock, users = self._locks[user.id]
            if users == 1:
                del self._locks[user.id]
            else:
                self._locks[user.id] = (lock, users - 1)

    @property
    def people(self) -> int:
        """People with an update in hand or waiting (for tests and diagnostics)."""
        return len(self._locks)
