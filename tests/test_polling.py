"""The poller against the emulator over HTTP, with a small dispatcher and a real database: bad
updates and bad answers do not stop it, people do not wait for each other, floods are paced."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.types import Message
from sqlalchemy import select

import bot.polling as polling
from bot.app import create_bot
from bot.middlewares.isolation import OnePerPerson
from bot.middlewares.updates import ExactlyOnceMiddleware
from bot.polling import FloodGuard, Poller
from bot.sandbox.server import SANDBOX_TOKEN
from storage import updates
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ProcessedUpdate

GUARD = 30  # seconds: only a hang guard, never a speed threshold


class Harness:
    """A dispatcher whose message handler notes each text and may be held per text."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.handled: list[str] = []
        self.arrived: dict[str, asyncio.Event] = {}
        self.gates: dict[str, asyncio.Event] = {}
        self.writes: dict[str, Callable[[], Awaitable[None]]] = {}
        router = Router()

        @router.message()
        async def note(message: Message) -> None:
            text = message.text or ""
            self.arrived.setdefault(text, asyncio.Event()).set()
            if text in self.gates:
                await self.gates[text].wait()
            if text in self.writes:
                await self.writes[text]()
            self.handled.append(text)

        self.dispatcher = Dispatcher(disable_fsm=True)
        self.dispatcher.update.outer_middleware(OnePerPerson())
        self.dispatcher.update.outer_middleware(ExactlyOnceMiddleware(db))
        self.dispatcher.include_router(router)

    def hold(self, text: str) -> asyncio.Event:
        self.gates[text] = asyncio.Event()
        return self.gates[text]

    async def seen(self, text: str) -> None:
        await asyncio.wait_for(self.arrived.setdefault(text, asyncio.Event()).wait(), GUARD)

    async def until(self, condition: Callable[[], bool]) -> None:
        async def wait() -> None:
            while not condition():
                await asyncio.sleep(0.01)

        await asyncio.wait_for(wait(), GUARD)


@pytest.fixture
async def sqlite_db(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'dti.db'}")
    await upgrade(database)
    yield database
    await database.dispose()


@pytest.fixture
async def running(emulator, tmp_path):
    """Start a poller on a harness; stopped (gracefully) at the end of the test."""
    started: list[tuple[Harness, Poller, asyncio.Task[None], Any]] = []

    async def start(db: Database, **options: Any) -> tuple[Harness, Poller]:
        harness = Harness(db)
        bot = create_bot(SANDBOX_TOKEN, emulator.url)
        options.setdefault("spool", updates.Spool(tmp_path / "spool.jsonl"))
        poller = Poller(bot, harness.dispatcher, timeout=1, db=db, **options)
        started.append((harness, poller, asyncio.create_task(poller.run()), bot))
        return harness, poller

    yield start
    emulator.faults.clear()
    for harness, poller, task, bot in started:
        for gate in harness.gates.values():
            gate.set()
        poller.stop()
        await asyncio.wait_for(task, GUARD)
        await bot.session.close()


async def push_text(emulator, user_id: int, text: str) -> int:
    state = emulator.state
    chat = state.user(user_id)
    message = state.new_message(chat, from_bot=False, text=text)
    return (await state.push_update({"message": message}))["update_id"]


async def recorded(db: Database) -> set[int]:
    async with db.session() as session:
        return set((await session.execute(select(ProcessedUpdate.update_id))).scalars())


@pytest.mark.parametrize("how", ["no_chat", "text_number", "date_word", "update_id_word"])
async def test_an_update_that_cannot_be_read_is_recorded_confirmed_and_skipped_and_the_rest_is_handled(
    emulator, db, running, how
):
    harness, poller = await running(db)
    await push_text(emulator, 41, "trước")
    bad = await push_text(emulator, 42, "hỏng")
    emulator.faults.malform(bad, how)
    await push_text(emulator, 43, "sau")
    await harness.until(lambda: {"trước", "sau"} <= set(harness.handled))
    await harness.until(lambda: not poller.in_hand)
    assert "hỏng" not in harness.handled and poller.skipped >= 1
    if how != "update_id_word":  # an id that cannot be read cannot be recorded either
        assert bad in await recorded(db)
    await harness.until(lambda: emulator.state.pending_updates(0, 100) == [])  # all confirmed


async def test_an_update_id_sent_as_digits_is_read_as_the_number_it_is(emulator, sqlite_db, running):
    harness, poller = await running(sqlite_db)
    update_id = await push_text(emulator, 44, "số")
    emulator.faults.malform(update_id, "update_id_string")
    await harness.until(lambda: "số" in harness.handled and not poller.in_hand)
    assert poller.skipped == 0
    assert update_id in await recorded(sqlite_db)


@pytest.mark.parametrize("kind", ["html502", "html504", "empty", "500", "network"])
async def test_an_answer_of_get_updates_that_is_not_json_is_a_network_error_retried_with_backoff(
    emulator, sqlite_db, running, monkeypatch, kind
):
    monkeypatch.setattr(polling, "FIRST_BACKOFF", 0.01)
    emulator.faults.configure([{"method": "getUpdates", "kind": kind, "count": 3}], None)
    harness, _poller = await running(sqlite_db)
    await push_text(emulator, 45, "vẫn chạy")
    await harness.until(lambda: "vẫn chạy" in harness.handled)
    assert emulator.faults.rules[0].count == 0  # every fault was met, and survived


async def test_one_persons_slow_update_does_not_hold_up_anothers_and_the_offset_moves_on(
    emulator, sqlite_db, running, tmp_path
):
    harness, poller = await running(sqlite_db, hold=0.01)
    slow = harness.hold("chậm")
    slow_id = await push_text(emulator, 51, "chậm")
    await harness.seen("chậm")
    await push_text(emulator, 52, "nhanh")
    await harness.until(lambda: "nhanh" in harness.handled)
    assert "chậm" not in harness.handled
    # The slow one was spooled, so Telegram could be told about the rest.
    await harness.until(lambda: slow_id in poller.spooled)
    assert [u["update_id"] for u in updates.Spool(tmp_path / "spool.jsonl").load()] == [slow_id]
    await harness.until(lambda: emulator.state.pending_updates(0, 100) == [])
    slow.set()
    await harness.until(lambda: "chậm" in harness.handled and not poller.in_hand)
    assert not (tmp_path / "spool.jsonl").exists()  # nothing left in hand


async def test_one_persons_updates_are_handled_in_the_order_sent(emulator, sqlite_db, running):
    harness, _poller = await running(sqlite_db)
    first = harness.hold("một")
    for text in ("một", "hai", "ba"):
        await push_text(emulator, 53, text)
    await harness.seen("một")
    await push_text(emulator, 54, "người khác")
    await harness.until(lambda: "người khác" in harness.handled)
    assert harness.handled == ["người khác"]  # "hai" and "ba" wait for "một"
    first.set()
    await harness.until(lambda: len(harness.handled) == 4)
    assert harness.handled[1:] == ["một", "hai", "ba"]


async def test_a_read_only_update_is_answered_while_another_process_holds_the_write_lock(
    emulator, sqlite_db, running, tmp_path
):
    harness, poller = await running(sqlite_db)
    writer = sqlite3.connect(tmp_path / "dti.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process (an import, a backup) writing for long
    try:
        update_id = await push_text(emulator, 55, "/help")
        await harness.until(lambda: "/help" in harness.handled)
        assert update_id in poller.in_hand  # answered; its record waits for the lock
        await push_text(emulator, 55, "/menu")  # the same person is not held up either
        await harness.until(lambda: "/menu" in harness.handled)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    await harness.until(lambda: not poller.in_hand)
    assert update_id in await recorded(sqlite_db)


async def test_a_spooled_update_is_handled_at_the_next_start_unless_it_was_recorded(
    emulator, sqlite_db, running, tmp_path
):
    state = emulator.state
    done = {"update_id": 900_001, "message": state.new_message(state.user(56), from_bot=False, text="đã xong")}
    left = {"update_id": 900_002, "message": state.new_message(state.user(56), from_bot=False, text="còn dở")}
    async with sqlite_db.lean() as sql:
        await updates.record_many(sql, [900_001])
    updates.Spool(tmp_path / "spool.jsonl").add([done, left])
    harness, poller = await running(sqlite_db)
    await harness.until(lambda: "còn dở" in harness.handled and not poller.in_hand)
    assert harness.handled == ["còn dở"]
    assert not (tmp_path / "spool.jsonl").exists()


async def test_a_handler_that_fails_still_has_its_update_recorded(emulator, sqlite_db, running):
    harness, poller = await running(sqlite_db)

    async def fail() -> None:
        raise RuntimeError("boom")

    harness.writes["lỗi"] = fail
    update_id = await push_text(emulator, 57, "lỗi")
    await harness.seen("lỗi")
    await harness.until(lambda: not poller.in_hand)
    assert update_id in await recorded(sqlite_db)  # a redelivery would not send its replies again


async def test_stopping_finishes_the_updates_in_hand_before_confirming_them(emulator, sqlite_db, running):
    harness, poller = await running(sqlite_db, hold=600)  # the offset waits for it, however long
    gate = harness.hold("dở dang")
    update_id = await push_text(emulator, 58, "dở dang")
    await harness.seen("dở dang")
    poller.stop()
    await asyncio.sleep(0)
    assert emulator.state.pending_updates(0, 100)[0]["update_id"] == update_id  # not confirmed yet
    gate.set()
    await harness.until(lambda: "dở dang" in harness.handled)
    await harness.until(lambda: emulator.state.pending_updates(0, 100) == [])


async def test_a_person_who_floods_is_paced_told_once_and_loses_nothing_while_others_are_served(
    emulator, sqlite_db, running
):
    harness, _poller = await running(sqlite_db, floods=FloodGuard(burst=5, rate=10.0))
    sent = [f"tin {n}" for n in range(40)]
    for text in sent:
        await push_text(emulator, 59, text)
    await harness.seen("tin 6")  # the flood is being worked through, paced
    await push_text(emulator, 60, "người khác")
    await harness.until(lambda: "người khác" in harness.handled)
    assert "tin 39" not in harness.handled  # served before the flood's queue is done
    await harness.until(lambda: len(harness.handled) == 41)
    assert [t for t in harness.handled if t.startswith("tin")] == sent  # all of them, in order
    notices = [m for m in emulator.state.chats[59].messages.values() if m["from"].get("is_bot")]
    assert len(notices) == 1 and "quá nhanh" in notices[0]["text"]


def test_the_flood_guard_lets_a_burst_through_then_paces_and_tells_once_per_flood():
    guard = FloodGuard(burst=3, rate=1.0)
    assert [guard.arrive(7, 100.0) for _ in range(3)] == [(0.0, False)] * 3
    assert guard.arrive(7, 100.0) == (101.0, True)
    assert guard.arrive(7, 100.0) == (102.0, False)  # paced further, not told again
    assert guard.arrive(8, 100.0) == (0.0, False)  # someone else is not affected
    assert guard.arrive(7, 110.0) == (0.0, False)  # calm again: the bucket refilled
    for _ in range(2):
        guard.arrive(7, 110.0)
    assert guard.arrive(7, 110.0) == (111.0, True)  # a new flood is told again


def test_the_spool_of_updates_in_hand_is_readable_by_the_bot_user_only(tmp_path):
    spool = updates.Spool(tmp_path / "spool.jsonl")
    spool.add([{"update_id": 1, "message": {"text": "số liệu"}}])
    spool.rewrite([{"update_id": 2}, {"update_id": 3}])
    assert (tmp_path / "spool.jsonl").stat().st_mode & 0o777 == 0o600
    assert [u["update_id"] for u in spool.load()] == [2, 3]


async def test_an_update_met_by_a_database_that_does_not_answer_is_handled_once_it_answers(
    emulator, sqlite_db, running, monkeypatch
):
    import bot.polling as polling

    monkeypatch.setattr(polling, "FIRST_BACKOFF", 0.01)
    real = updates.already_processed
    outage = {"left": 3}

    async def flaky(sql, update_id):
        if outage["left"]:
            outage["left"] -= 1
            raise ConnectionRefusedError("the database restarts")
        return await real(sql, update_id)

    monkeypatch.setattr(updates, "already_processed", flaky)
    harness, poller = await running(sqlite_db)
    update_id = await push_text(emulator, 59, "sau sự cố")
    await harness.seen("sau sự cố")  # handled, not apologised for and dropped
    await harness.until(lambda: not poller.in_hand)
    assert outage["left"] == 0 and harness.handled.count("sau sự cố") == 1
    assert update_id in await recorded(sqlite_db)
