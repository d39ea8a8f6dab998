"""Long polling that never loses an update, never stops on a bad one, and never makes one person
wait for another.

- Fetching: getUpdates is asked for plain JSON (`RawGetUpdates`) and each update is read on its
  own. One that cannot be read is logged (its id and kind, never its content), recorded as
  processed, confirmed and skipped; one whose id cannot be read is logged and skipped (the offset
  moves past it with the highest id seen). An answer that is not JSON at all (a proxy's "502 Bad
  Gateway" page, an empty body) is a network error: back off and ask again.
- Handling: each person's updates go, in order, through a queue of their own; different people's
  run at once, at most CONCURRENCY handlers at a time. A person sending far more than anybody
  types by hand (`FloodGuard`) is paced and told so once; nothing they sent is dropped.
- Confirming: Telegram forgets every update below the offset of the next getUpdates. The offset
  moves past an update only once it is recorded as processed (storage.updates), so a kill
  redelivers the unfinished ones and the exactly-once middleware drops the finished ones. Updates
  handled without a write are recorded in batches (`update_recorder`), off the person's way. While
  the updates in hand are being recorded the offset waits for them (a busy bot takes one batch at a
  time: fetching more would only slow every update down). When none was recorded for HOLD seconds
  (what is left is stuck: a slow reply, a locked database, a flood's paced queue), or after
  HOLD_LONGEST whatever happens, the unrecorded ones are written to a spool file
  (storage.updates.Spool) and the offset moves on. A restart handles the spooled ones first.
- Stopping (SIGTERM): fetching stops, the updates in hand are finished (a flood's pacing is
  dropped), their records written, and only then is the offset confirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections import deque
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError, TelegramUnauthorizedError
from aiogram.methods.base import TelegramMethod
from aiogram.types import Update
from pydantic import ValidationError

from bot.i18n import _
from storage import updates
from storage.db import Database

logger = logging.getLogger(__name__)
CONFLICT_PAUSE = 30.0
CONCURRENCY = 64  # handlers running at once (different people)
MAX_IN_HAND = 5000  # updates received and not yet finished; beyond, fetching waits
HOLD = 0.2  # seconds without any update recorded, after which those in hand are stuck
HOLD_LONGEST = 2.0  # seconds the offset waits at most for updates in hand
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 60.0
UNREADABLE_PAUSE = 1.0
FLOOD_BURST, FLOOD_RATE = 60, 3.0  # updates at once, then per second (180 a minute)
SPOOL_NAME = "updates-in-hand.jsonl"


class RawGetUpdates(TelegramMethod[list[Any]]):
    """getUpdates answering plain JSON: the poller reads each update on its own."""

    __returning__ = list[Any]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


def update_id_of(item: Any) -> int | None:
    found = item.get("update_id") if isinstance(item, dict) else None
    if isinstance(found, int) and not isinstance(found, bool):
        return found
    if isinstance(found, str) and found.strip().isdigit():
        return int(found)  # read as pydantic reads it
    return None


def kind_of(item: Any) -> str:
    """What kind of update it is, for logs: its field names, never their content."""
    if not isinstance(item, dict):
        return type(item).__name__
    return ",".join(str(key)[:32] for key in list(item)[:4] if key != "update_id") or "empty"


def person_of(item: dict[str, Any]) -> int | None:
    for key, body in item.items():
        if key != "update_id" and isinstance(body, dict):
            who = body.get("from") or body.get("chat") or body.get("user")
            if isinstance(who, dict) and isinstance(who.get("id"), int):
                return int(who["id"])
    return None


def _where(error: ValidationError) -> str:
    """Where an update failed validation (field paths and error types, never the values)."""
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    return "; ".join(".".join(map(str, p["loc"])) + " " + p["type"] for p in problems[:3])


class FloodGuard:
    """A bucket per person: `burst` updates at once, then `rate` a second. An update beyond that
    waits for its turn (it is never dropped); the person is told once per flood, again only after
    a calm long enough to fill the bucket."""

    def __init__(self, burst: int = FLOOD_BURST, rate: float = FLOOD_RATE) -> None:
        self.burst, self.rate = burst, rate
        self._buckets: dict[int, list[Any]] = {}  # person → [tokens, at, told]

    def arrive(self, person: int, now: float) -> tuple[float, bool]:
        """When the update may be handled (0: now), and whether to tell the person."""
        bucket = self._buckets.get(person)
        if bucket is None:
            if len(self._buckets) >= 10_000:
                self._forget_calm(now)
            bucket = self._buckets[person] = [float(self.burst), now, False]
        tokens = min(float(self.burst), bucket[0] + (now - bucket[1]) * self.rate)
        if tokens >= self.burst:
            bucket[2] = False
        bucket[0], bucket[1] = tokens - 1, now
        if tokens >= 1:
            return 0.0, False
        tell = not bucket[2]
        bucket[2] = True
        return now + (1 - tokens) / self.rate, tell

    def _forget_calm(self, now: float) -> None:
        full = [p for p, (tokens, at, _told) in self._buckets.items() if tokens + (now - at) * self.rate >= self.burst]
        for person in full:
            del self._buckets[person]


class _Entry:
    __slots__ = ("deferred", "holds", "marker", "not_before", "raw", "retries", "tell", "update")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.marker: updates.Marker
        self.update: Update | None = None
        self.deferred = self.tell = False
        self.holds = True  # the offset may not pass it: neither recorded nor spooled yet
        self.not_before = 0.0  # paced until (a flood), or waiting for the database
        self.retries = 0


class Poller:
    def __init__(
        self,
        bot: Bot,
        dispatcher: Dispatcher,
        timeout: int = 20,
        *,
        db: Database | None = None,
        spool: updates.Spool | None = None,
        concurrency: int = CONCURRENCY,
        hold: float = HOLD,
        floods: FloodGuard | None = None,
    ) -> None:
        self.bot, self.dispatcher, self.timeout = bot, dispatcher, timeout
        self.db, self.spool, self.hold = db, spool, hold
        self.floods = floods or FloodGuard()
        self.stopping = asyncio.Event()
        self.progress = asyncio.Event()  # nothing holds the offset back any more, or room was made
        self.slots = asyncio.Semaphore(concurrency)
        self.conflicts = 0
        self.skipped = 0  # updates that could not be read
        self.in_hand: dict[int, _Entry] = {}  # received, not yet finished and recorded (in arrival order)
        self.spooled: set[int] = set()  # in hand, confirmed to Telegram, kept in the spool
        self.max_seen: int | None = None
        self._holding = 0  # entries in hand that hold the offset back
        self._queues: dict[int, deque[_Entry]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._to_record: list[updates.Marker] = []
        self._recording: asyncio.Task[None] | None = None
        self._held_since: float | None = None
        self._last_record = 0.0

    def stop(self) -> None:
        self.stopping.set()
        self.progress.set()

    # -- the loop ----------------------------------------------------------------------------------
    async def run(self) -> None:
        allowed = self.dispatcher.resolve_used_update_types()
        self._replay_spool()
        backoff = FIRST_BACKOFF
        try:
            while await self._room_to_confirm():
                offset = None if self.max_seen is None else self.max_seen + 1
                request = asyncio.ensure_future(
                    self.bot(RawGetUpdates(offset=offset, timeout=self.timeout, allowed_updates=allowed))
                )
                stop = asyncio.ensure_future(self.stopping.wait())
                await asyncio.wait({request, stop}, return_when=asyncio.FIRST_COMPLETED)
                stop.cancel()
                if not request.done():
                    request.cancel()  # shutting down while waiting
                    with contextlib.suppress(BaseException):
                        await request
                    break
                try:
                    items = request.result()
                except TelegramConflictError:
                    self.conflicts += 1
                    logger.error(
                        "another process is polling with this bot token (409 Conflict): only one instance may "
                        "run; pausing %.0f s before trying again",
                        CONFLICT_PAUSE,
                    )
                    await self._sleep(CONFLICT_PAUSE)
                    continue
                except TelegramUnauthorizedError:
                    logger.critical("the Bot API refused the token (401): check DTI_BOT_TOKEN")
                    raise
                except Exception as exc:  # network, 5xx, an answer that is not JSON (ClientDecodeError)…
                    logger.warning("getUpdates failed (%s); retrying in %.1f s", type(exc).__name__, backoff)
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    continue
                backoff = FIRST_BACKOFF
                if items and not self._accept(items):
                    # Only updates without a readable id, which the offset cannot pass: ask again later.
                    await self._sleep(UNREADABLE_PAUSE)
        finally:
            await self._finish()

    async def _room_to_confirm(self) -> bool:
        """Wait until the next getUpdates may confirm everything received: every update in hand is
        recorded, or spooled once they stopped being recorded (see the module's docstring)."""
        while not self.stopping.is_set():
            timeout: float | None = None
            if self._holding:
                now = time.monotonic()
                if self._held_since is None:
                    self._held_since = self._last_record = now
                timeout = min(self._last_record + self.hold, self._held_since + max(self.hold, HOLD_LONGEST)) - now
                if timeout <= 0:
                    self._spool_in_hand([e for e in self.in_hand.values() if e.holds])
                    self._held_since = self._last_record = now  # if the spool failed: again later
                    continue
            elif len(self.in_hand) < MAX_IN_HAND:
                self._held_since = None
                return True
            self.progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.progress.wait(), timeout)
        return False

    def _floor(self) -> int | None:
        """The oldest update in hand that Telegram may not forget yet."""
        return min((i for i, e in self.in_hand.items() if e.holds), default=None)

    def _release(self, entry: _Entry) -> None:
        """The entry no longer holds the offset back (recorded, spooled or given up)."""
        if entry.holds:
            entry.holds = False
            self._holding -= 1
            self._last_record = time.monotonic()
            if not self._holding:
                self.progress.set()

    # -- reading -----------------------------------------------------------------------------------
    def _accept(self, items: list[Any], replayed: bool = False) -> int:
        """Take a batch in hand; returns how many updates had a readable id."""
        readable = 0
        now = time.monotonic()
        for item in items:
            update_id = update_id_of(item)
            if update_id is None:
                self.skipped += 1
                logger.warning("an update without a readable id (%s) was skipped", kind_of(item))
                continue
            readable += 1
            if self.max_seen is None or update_id > self.max_seen:
                self.max_seen = update_id
            if update_id in self.in_hand:
                continue  # delivered again while still in hand
            entry = _Entry(item)
            entry.marker = updates.Marker(update_id, lambda entry=entry: self._release(entry))
            self.in_hand[update_id] = entry
            if replayed:
                self.spooled.add(update_id)
                entry.holds = False
            else:
                self._holding += 1
            try:
                entry.update = Update.model_validate(item, context={"bot": self.bot})
            except ValidationError as exc:
                self.skipped += 1
                logger.warning("update %s (%s) cannot be read; skipped: %s", update_id, kind_of(item), _where(exc))
                self._defer(entry.marker)
                continue
            self._enqueue(entry, now, replayed)
        return readable

    def _enqueue(self, entry: _Entry, now: float, replayed: bool) -> None:
        person = person_of(entry.raw)
        if person is None:
            self._start(None, deque((entry,)))
            return
        if not replayed:
            entry.not_before, entry.tell = self.floods.arrive(person, now)
            if entry.tell:
                logger.warning("a person is sending updates faster than %.0f a second: paced", self.floods.rate)
        queue = self._queues.get(person)
        if queue is None:
            queue = self._queues[person] = deque()
            self._start(person, queue)
        queue.append(entry)

    def _start(self, person: int | None, queue: deque[_Entry]) -> None:
        task = asyncio.create_task(self._serve(person, queue))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- handling ----------------------------------------------------------------------------------
    async def _serve(self, person: int | None, queue: deque[_Entry]) -> None:
        """One person's updates, one at a time, in order."""
        try:
            while queue:
                entry = queue[0]
                if entry.tell and person is not None:
                    self._later(self._tell_flood(person))
                if entry.not_before and not self.stopping.is_set():
                    await self._sleep(entry.not_before - time.monotonic())
                async with self.slots:
                    try:
                        await self.dispatcher.feed_update(
                            self.bot, entry.update, update_marker=entry.marker, update_recorder=self._defer
                        )
                    except Exception as exc:
                        logger.error("update %s failed: %s", entry.marker.update_id, type(exc).__name__, exc_info=exc)
                if entry.marker.retry:
                    # Not handled at all (the database was down): the same update again after a
                    # pause, before this person's next. Meanwhile it holds the offset (or stays in
                    # the spool); at shutdown it is left in hand, so Telegram or the spool has it.
                    entry.marker.retry = entry.tell = False
                    if self.stopping.is_set():
                        queue.popleft()
                        continue
                    entry.retries += 1
                    entry.not_before = time.monotonic() + min(FIRST_BACKOFF * 2**entry.retries, MAX_BACKOFF)
                    continue
                queue.popleft()
                if entry.marker.recorded or not entry.deferred:
                    self._settle(entry.marker.update_id)
        finally:
            if person is not None and self._queues.get(person) is queue:
                del self._queues[person]

    def _defer(self, marker: updates.Marker) -> None:
        """Record this update soon, with others (it was handled without a write)."""
        entry = self.in_hand.get(marker.update_id)
        if entry is not None:
            entry.deferred = True
        self._to_record.append(marker)
        if self._recording is None or self._recording.done():
            self._recording = asyncio.create_task(self._record())

    async def _record(self) -> None:
        while self._to_record:
            await asyncio.sleep(0)  # let the updates finishing now join this commit
            batch, self._to_record = self._to_record, []
            try:
                if self.db is not None:
                    async with self.db.lean() as sql:
                        await updates.record_many(sql, [m.update_id for m in batch])
                    for marker in batch:
                        marker.recorded = True
            except Exception as exc:
                logger.error("the processed records of %s updates could not be written: %s", len(batch), exc)
            for marker in batch:
                self._settle(marker.update_id)

    def _settle(self, update_id: int) -> None:
        entry = self.in_hand.pop(update_id, None)
        if entry is None:
            return
        self._release(entry)
        if len(self.in_hand) == MAX_IN_HAND - 1:
            self.progress.set()
        if update_id in self.spooled:
            self.spooled.discard(update_id)
            if self.spool is not None:
                self._tidy_spool()

    # -- the spool ---------------------------------------------------------------------------------
    def _spool_in_hand(self, fresh: list[_Entry]) -> None:
        if not fresh:
            return
        if self.spool is not None:
            try:
                self.spool.add(e.raw for e in fresh)
            except OSError as exc:
                logger.error("updates in hand cannot be spooled (%s): the offset waits for them", exc)
                return
        for entry in fresh:
            self.spooled.add(entry.marker.update_id)
            self._release(entry)
        logger.info("%s updates in hand are slow to finish: spooled, the offset moves on", len(fresh))

    def _tidy_spool(self) -> None:
        assert self.spool is not None
        try:
            if not self.spooled:
                self.spool.clear()
            elif self.spool.lines > 2 * len(self.spooled) + 100:
                self.spool.rewrite([self.in_hand[i].raw for i in self.spooled if i in self.in_hand])
        except OSError as exc:
            logger.warning("the spool of updates in hand could not be tidied (%s)", exc)

    def _replay_spool(self) -> None:
        if self.spool is None:
            return
        spooled = self.spool.load()
        if spooled:
            logger.info("%s updates left in hand by the last run are handled first", len(spooled))
            spooled.sort(key=lambda u: update_id_of(u) or 0)
            self._accept(spooled, replayed=True)
        if not self.spooled:
            self.spool.clear()

    # -- the rest ----------------------------------------------------------------------------------
    async def _tell_flood(self, chat_id: int) -> None:
        text = _("You are sending messages very fast. The bot keeps all of them and answers one by one: please wait.")
        try:
            await self.bot.send_message(chat_id, text)
        except Exception as exc:
            logger.warning("the flood notice could not be sent (%s)", type(exc).__name__)

    def _later(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _finish(self) -> None:
        """Finish the updates in hand, write their records, then confirm them to Telegram."""
        self.stop()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        while self._recording is not None and not self._recording.done():
            await asyncio.gather(self._recording, return_exceptions=True)
        floor = self._floor()
        offset = floor if floor is not None else (None if self.max_seen is None else self.max_seen + 1)
        if offset is not None:
            try:
                await self.bot(RawGetUpdates(offset=offset, timeout=0, limit=1))
            except Exception:  # the exactly-once middleware covers a redelivery
                logger.info("could not confirm the last updates on shutdown")
        if self.spool is not None and not self.spooled:
            self.spool.clear()

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0 or self.stopping.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)


def poller_for(bot: Bot, dispatcher: Dispatcher, timeout: int = 20) -> Poller:
    """A poller with the dispatcher's database (records) and data folder (spool)."""
    settings = dispatcher.workflow_data.get("settings")
    data_dir: Path | None = getattr(settings, "data_dir", None)
    spool = updates.Spool(data_dir / SPOOL_NAME) if data_dir is not None else None
    return Poller(bot, dispatcher, timeout, db=dispatcher.workflow_data.get("db"), spool=spool)


async def poll_until_stopped(bot: Bot, dispatcher: Dispatcher, timeout: int = 20) -> None:
    """Poll until SIGINT/SIGTERM; the updates in hand are finished first."""
    poller = poller_for(bot, dispatcher, timeout)
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
