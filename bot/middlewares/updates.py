"""Each Telegram update is processed once, even when replayed (see storage.updates); the acting
person is loaded in the same read."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Update

from bot.services.access import actor_in
from storage import updates
from storage.db import Database

logger = logging.getLogger(__name__)
PRUNE_EVERY = 1000


class ExactlyOnceMiddleware(BaseMiddleware):
    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen = 0

    async def __call__(
        self, handler: Callable[[Update, dict[str, Any]], Awaitable[Any]], event: Update, data: dict[str, Any]
    ) -> Any:
        user = data.get("event_from_user")
        async with self.db.lean(write=False, snapshot=False) as sql:
            if await updates.already_processed(sql, event.update_id):
                logger.info("update %s was already processed; ignored", event.update_id)
                return UNHANDLED
            data["actor"] = await actor_in(sql, user.id) if user is not None else None
        with updates.processing(event.update_id) as marker:
            result = await handler(event, data)
        if not marker.recorded:
            async with self.db.lean() as sql:
                await updates.record(sql, event.update_id)
        self.seen += 1
        if self.seen % PRUNE_EVERY == 0:
            async with self.db.session() as session, session.begin():
                await updates.prune(session)
        return result
