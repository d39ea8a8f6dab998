"""aiogram's FSM is not used: conversation state lives in the database (storage.models.Conversation).

Without a storage aiogram would create an in-memory one; this one holds nothing and refuses writes,
so any code that tried to keep state in memory would fail loudly instead of losing it on restart.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey


class NoFSMStorage(BaseStorage):
    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        raise RuntimeError("conversation state belongs in the database, not in aiogram's FSM")

    async def get_state(self, key: StorageKey) -> str | None:
        return None

    async def set_data(self, key: StorageKey, data: Any) -> None:
        raise RuntimeError("conversation state belongs in the database, not in aiogram's FSM")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return {}

    async def close(self) -> None:
        return None
