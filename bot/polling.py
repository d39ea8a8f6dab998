"""Long polling that never loses an update a person sent.

aiogram's own loop asks for the next batch — which confirms the current one to Telegram — while the
handlers still run, so a crash or a kill in between loses those updates. Here a batch is handled
concurrently (one person's updates stay in order: bot.middlewares.isolation) and
only then confirmed. A kill mid-batch means Telegram delivers it again, and the exactly-once
middleware drops what was already done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramConflictError,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)

logger = logging.getLogger(__name__)
CONFLICT_PAUSE = 30.0


class Poller:
    def __init__(self, bot: Bot, dispatcher: Dispatcher, timeout: int = 20) -> None:
        self.bot, self.dispatcher, self.timeout = bot, dispatcher, timeout
        self.stopping = asyncio.Event()
        self.conflicts = 0

    def stop(self) -> None:
        self.stopping.set()

    async def run(self) -> None:
        allowed = self.dispatcher.resolve_used_update_types()
        offset: int | None = None
        backoff = 1.0
        while not self.stopping.is_set():
            request = asyncio.ensure_future(
                self.bot.get_updates(offset=offset, timeout=self.timeout, allowed_updates=allowed)
            )
            stop = asyncio.ensure_future(self.stopping.wait())
            await asyncio.wait({request, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if not request.done():
                request.cancel()  # shutting down while waiting: nothing is in hand
                break
            try:
                updates = request.result()
            except TelegramConflictError:
                self.conflicts += 1
                logger.error(
                    "another process is polling with this bot token (409 Conflict): only one instance may run; "
                    "pausing %.0f s before trying again",
                    CONFLICT_PAUSE,
                )
                await self._sleep(CONFLICT_PAUSE)
                continue
            except TelegramUnauthorizedError:
                logger.critical("the Bot API refused the token (401): check DTI_BOT_TOKEN")
                raise
            except (TelegramNetworkError, TelegramServerError) as exc:
                logger.warning("getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            backoff = 1.0
            if not updates:
                continue
            # The batch is finished — even during shutdown — before its offset is confirmed.
            results = await asyncio.gather(
                *(self.dispatcher.feed_update(self.bot, update) for update in updates), return_exceptions=True
            )
            for update, result in zip(updates, results, strict=True):
                if isinstance(result, BaseException):
                    logger.error("update %s failed: %s", update.update_id, type(result).__name__, exc_info=result)
            offset = updates[-1].update_id + 1
        if offset is not None:
            # Confirm the last batch, so a restart does not receive it again.
            try:
                await self.bot.get_updates(offset=offset, timeout=0, limit=1)
            except Exception:  # the exactly-once middleware covers a redelivery
                logger.info("could not confirm the last batch on shutdown")

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)


async def poll_until_stopped(bot: Bot, dispatcher: Dispatcher, timeout: int = 20) -> None:
    """Poll until SIGINT/SIGTERM; the updates in hand are finished first."""
    poller = Poller(bot, dispatcher, timeout)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, poller.stop)
    me = await bot.get_me()
    logger.info("polling as @%s", me.username)
    try:
        await poller.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await bot.session.close()
        logger.info("stopped")
