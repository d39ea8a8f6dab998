"""The outbox sender: delivers queued messages at Telegram's limits.

A global rate (DTI_OUTBOX_RATE, default 25/s, under Telegram's ~30/s) shared by every sender
process through the outbox window; at most one message per second per chat; a 429 pauses all
sending for `retry_after`; 5xx and network errors retry with backoff; a 403 marks the person
unreachable and tells the coordinators.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.clock import Clock
from bot.keyboards import send_method
from bot.render.campaign import notices
from bot.services.campaign import outbox
from bot.services.campaign.outbox import Claimed, NewMessage, Outcome
from storage.db import Database

logger = logging.getLogger(__name__)


class OutboxSender:
    def __init__(
        self, bot: Bot, db: Database, rate: float = 25.0, stale_after: float = 60.0, clock: Clock | None = None
    ) -> None:
        self.bot, self.db, self.rate = bot, db, rate
        self.clock = clock or Clock()  # the scheduler's: messages planned at a moved time are due then
        self.stale_after = timedelta(seconds=stale_after)
        self._next_slot = 0.0
        self.sent = 0
        self.closing = False
        self._busy = asyncio.Lock()

    async def close(self) -> None:
        """Stop taking new messages and wait until what was claimed is sent and recorded."""
        self.closing = True
        async with self._busy:
            pass

    async def drain(self, budget_seconds: float = 5.0) -> int:
        """Send what is due, for up to `budget_seconds`; returns how many were sent."""
        async with self._busy:
            return await self._drain(budget_seconds)

    async def _drain(self, budget_seconds: float) -> int:
        deadline = time.monotonic() + budget_seconds
        sent = 0
        while time.monotonic() < deadline and not self.closing:
            claimed = await outbox.claim(self.db, self.rate, self.clock.now(), stale_after=self.stale_after)
            if not claimed:
                break
            outcomes = await self._send_all(claimed)
            sent += sum(1 for o in outcomes if o.result == "sent")
            unreachable = await outbox.finish(self.db, outcomes, self.clock.now())
            if unreachable:
                await self._tell_coordinators(unreachable)
        self.sent += sent
        return sent

    async def _send_all(self, claimed: list[Claimed]) -> list[Outcome]:
        """Start each send at its own paced slot and let them overlap: one at a time, a round trip to
        Telegram of 100–200 ms would cap delivery far below the allowed rate."""
        paused: list[float] = []

        async def one(message: Claimed) -> Outcome:
            await self._pace()
            if paused:  # a 429 arrived meanwhile: everything not yet sent waits too
                return Outcome(message.id, "rate_limited", paused[0])
            outcome = await self._send(message)
            if outcome.result == "rate_limited" and not paused:
                paused.append(outcome.retry_after)
                logger.warning("429 from the Bot API: all sending paused for %.0f s", outcome.retry_after)
            return outcome

        return list(await asyncio.gather(*(one(m) for m in claimed)))

    async def _pace(self) -> None:
        now = time.monotonic()
        self._next_slot = max(self._next_slot, now)
        delay = self._next_slot - now
        self._next_slot += 1.0 / self.rate
        if delay > 0:
            await asyncio.sleep(delay)

    async def _send(self, message: Claimed) -> Outcome:
        screen = notices.from_payload(message.payload)
        try:
            await self.bot(send_method(message.chat_id, screen, notice=True))  # its buttons never replace it
            return Outcome(message.id, "sent")
        except TelegramRetryAfter as exc:
            return Outcome(message.id, "rate_limited", float(exc.retry_after))
        except TelegramForbiddenError as exc:
            return Outcome(message.id, "blocked", error=exc.message)
        except (TelegramServerError, TelegramNetworkError) as exc:
            return Outcome(message.id, "retry", error=f"{type(exc).__name__}: {exc.message}")
        except ClientDecodeError as exc:  # e.g. a proxy's HTML error page instead of the Bot API's JSON
            return Outcome(message.id, "retry", error=f"undecodable answer: {str(exc)[:200]}")
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message:
                return Outcome(message.id, "blocked", error=exc.message)
            return Outcome(message.id, "failed", error=exc.message)

    async def _tell_coordinators(self, person_ids: list[int]) -> None:
        names = await outbox.person_names(self.db, person_ids)
        payload = notices.as_payload(notices.unreachable(names))
        key = ",".join(map(str, sorted(person_ids)))
        await outbox.enqueue(
            self.db,
            [
                NewMessage(f"unreachable:{key}:{coordinator}", chat, payload, coordinator, "notice")
                for coordinator, chat in await outbox.coordinator_chats(self.db)
            ],
            self.clock.now(),
        )
