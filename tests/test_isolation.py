"""One person's updates are handled one at a time and in order; different people at once."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bot.middlewares.isolation import OnePerPerson


async def test_one_persons_updates_wait_for_each_other_in_order_while_others_go_ahead():
    isolation = OnePerPerson()
    log: list[str] = []
    release = asyncio.Event()

    async def handler(event, data):
        log.append(f"start {event}")
        if event == "an-1":
            await release.wait()
        log.append(f"end {event}")

    def update(person: int, name: str):
        return isolation(handler, name, {"event_from_user": SimpleNamespace(id=person)})

    first = asyncio.ensure_future(update(1, "an-1"))
    second = asyncio.ensure_future(update(1, "an-2"))
    other = asyncio.ensure_future(update(2, "binh-1"))
    await asyncio.wait_for(other, timeout=10)  # Bình is not held up by An…
    assert log == ["start an-1", "start binh-1", "end binh-1"]  # …whose second update waits for the first
    assert isolation.people == 1
    release.set()
    await asyncio.gather(first, second, other)
    assert log[3:] == ["end an-1", "start an-2", "end an-2"]
    assert isolation.people == 0  # no lock is kept once nobody waits


async def test_an_error_in_one_update_does_not_block_the_next_of_the_same_person():
    isolation = OnePerPerson()

    async def failing(event, data):
        raise RuntimeError("boom")

    async def fine(event, data):
        return "ok"

    person = {"event_from_user": SimpleNamespace(id=5)}
    results = await asyncio.gather(
        isolation(failing, "u1", person), isolation(fine, "u2", person), return_exceptions=True
    )
    assert isinstance(results[0], RuntimeError) and results[1] == "ok"
    assert isolation.people == 0
