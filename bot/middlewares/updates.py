"""Each Telegram update is processed once, even when replayed (see storage.updates); the acting
person is loaded in the same read.

The poller (bot.polling) hands in the update's `update_marker`, to learn when it is recorded, and
an `update_recorder`, which records updates whose handling wrote nothing in batches, off the
person's way: a read-only answer never waits for the write lock. Without them (webhook mode) the
record is written here. An update whose handler failed is recorded too: what it sent is not sent
again by a redelivery.
"""

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
        marker = data.get("update_marker") or updates.Marker(event.update_id)
        user = data.get("event_from_user")
        try:
            async with self.db.lean(write=False, snapshot=False) as sql:
                if await updates.already_processed(sql, event.update_id):
                    logger.info("update %s was already processed; ignored", event.update_id)
                    marker.recorded = True
                    return UNHANDLED
                data["actor"] = await actor_in(sql, user.id) if user is not None else None
        except Exception as exc:  # the database does not answer: nothing was done, so nothing is lost
            logger.warning("update %s waits: the database did not answer (%s)", event.update_id, type(exc).__name__)
            marker.retry = True
            return UNHANDLED
        try:
            with updates.processing(marker):
                return await handler(event, data)
        finally:
            if not marker.recorded:
                await self._record(marker, data.get("update_recorder"))
            self.seen += 1
            if self.seen % PRUNE_EVERY == 0:
                await self._prune()

    async def _record(self, marker: updates.Marker, recorder: Callable[[updates.Marker], None] | None) -> None:
        if recorder is not None:
            recorder(marker)
            return
        try:
            async with self.db.lean() as sql:
                await updates.record(sql, marker.update_id)
            marker.recorded = True
        except Exception:
            logger.exception("update %s: its processed record could not be written", marker.update_id)

    async def _prune(self) -> None:
        try:
            async with self.db.session() as session, session.begin():
                await updates.prune(session)
        except Exception:
            logger.exception("pruning the processed-update records failed (the next prune retries)")
