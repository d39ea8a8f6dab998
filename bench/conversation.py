"""Conversation throughput and latency: 500 simulated focal points each answering 20 items.

The real bot runs as its own process (`python -m bot run`) against the Bot API emulator over HTTP,
on SQLite, as in production on one machine. Simulated people act through the emulator's state in
this process (no HTTP on their side) and are timed from their update to the bot's reply.

Phase 1, closed loop: all 500 people answer as fast as the bot replies → answers/s.
Phase 2, open loop: answers offered at 100/s → p50 / p95 latency.
Phase 3, the same open loop while one chat's replies take 30 s (an emulator fault) and that person
keeps writing: p95 of everyone else's replies (one person's slow reply must not hold up another).
Yardstick: a bare aiogram echo bot through the same emulator, 500 people messaging in a closed loop.
Targets: updates/s ≥ 50 % of the echo bot's; p95 < 250 ms at 100 answers/s; with the slow chat,
everyone else's p95 < 1 s. Also reported: the bot
process's CPU time per update (from /proc), which does not depend on what else the machine runs.
Run: make bench   (or .venv/bin/python bench/conversation.py [--people N])
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from bot.render.actions import parse  # noqa: E402
from bot.sandbox.faults import Faults  # noqa: E402
from bot.sandbox.server import SANDBOX_TOKEN, build_app  # noqa: E402
from bot.sandbox.state import SandboxState  # noqa: E402
from bot.services.access import SYSTEM  # noqa: E402
from bot.services.admin.frameworks import framework_of  # noqa: E402
from bot.services.campaign.periods import open_period  # noqa: E402
from storage.db import Database, default_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import FrameworkVersion, Membership, Period, Person, Unit  # noqa: E402

FIRST_USER = 900_000
TEXT_ANSWERS = {"ratio": "45/50", "count_tiers": "5", "minmax": "12"}  # 5.4 counts incidents: whole


class People:
    """The person's side, in process: push updates, await the bot's next reply in that chat."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.callback_ids = itertools.count(1)
        self.card_only: set[int] = set()  # people who act on the card: a receipt without buttons is not it
        original = state.emit

        async def emit(chat: Any, kind: str, message: dict[str, Any]) -> None:
            await original(chat, kind, message)
            user_id = chat.user["id"]
            if kind not in ("message", "edit") or (user_id in self.card_only and not message.get("reply_markup")):
                return
            future = self.waiting.pop(user_id, None)
            if future is not None and not future.done():
                future.set_result(message)

        state.emit = emit  # type: ignore[method-assign]

    async def _act(self, user_id: int, payload: dict[str, Any]) -> tuple[dict[str, Any], float]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[user_id] = future
        start = time.perf_counter()
        await self.state.push_update(payload)
        reply = await asyncio.wait_for(future, timeout=60)
        return reply, time.perf_counter() - start

    async def send(self, user_id: int, text: str) -> tuple[dict[str, Any], float]:
        chat = self.state.user(user_id, f"Người {user_id}")
        message = self.state.new_message(chat, from_bot=False, text=text)
        return await self._act(user_id, {"message": message})

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> tuple[dict[str, Any], float]:
        chat = self.state.user(user_id)
        query = {
            "id": f"{user_id}:{next(self.callback_ids)}",
            "from": chat.user,
            "message": message,
            "chat_instance": str(user_id),
            "data": data,
        }
        return await self._act(user_id, {"callback_query": query})


def buttons(message: dict[str, Any]) -> list[str]:
    return [
        b["callback_data"]
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
        if b.get("callback_data")
    ]


async def add_people(session: Any, prefix: str, first_user: int, count: int) -> None:
    """`count` units of the department cohort, each with one focal point on Telegram."""
    await session.execute(
        insert(Unit),
        [
            {
                "code": f"{prefix}{n:04d}",
                "name": f"Đơn vị {prefix}{n}",
                "cohort": "so-nganh",
                "attributes": {"has_public_services": True},
                "ranked": True,
                "active": True,
            }
            for n in range(count)
        ],
    )
    await session.execute(
        insert(Person),
        [{"telegram_id": first_user + n, "full_name": f"Người {prefix}{n}", "reachable": True} for n in range(count)],
    )
    units = dict((await session.execute(select(Unit.code, Unit.id).where(Unit.code.like(f"{prefix}%")))).all())
    persons = dict((await session.execute(select(Person.telegram_id, Person.id))).all())
    await session.execute(
        insert(Membership),
        [
            {
                "person_id": persons[first_user + n],
                "unit_id": units[f"{prefix}{n:04d}"],
                "role": "focal_point",
                "active": True,
            }
            for n in range(count)
        ],
    )


async def prepare(data_dir: Path, people: int) -> Any:
    db = Database(default_url(data_dir))
    await upgrade(db)
    async with db.session() as session, session.begin():
        await add_people(session, "U", FIRST_USER, people)
    period = await open_period(db, SYSTEM, "dongthap-1397-so", 2026, date.today() + timedelta(days=30))
    async with db.session() as session:
        version = await session.get(FrameworkVersion, (await session.get(Period, period.id)).framework_version_id)
    framework = framework_of(version)
    await db.dispose()
    return framework


async def start_process(
    script: list[str], env: dict[str, str], state: SandboxState, log: Path
) -> asyncio.subprocess.Process:
    polls = state.polls
    handle = log.open("ab")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *script, env=env, cwd=str(ROOT), stdout=handle, stderr=handle
    )
    handle.close()
    while state.polls <= polls:
        if proc.returncode is not None:
            raise RuntimeError(log.read_text()[-2000:])
        await asyncio.sleep(0.05)
    return proc


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), 20)
    except TimeoutError:
        proc.kill()


async def answer_all(
    people: People,
    framework: Any,
    user_id: int,
    latencies: list[float],
    counts: dict[str, int],
    limit: int | None = None,
    pace: asyncio.Queue[None] | None = None,
) -> None:
    """One person: open the assessment, answer every item, move on from each evidence step.
    Typed answers get a short receipt and the card (edited, or sent again): the card is what counts."""
    people.card_only.add(user_id)
    screen, _ = await people.send(user_id, "/tiep")
    answered = 0
    while limit is None or answered < limit:
        data = buttons(screen)
        actions = [a for a in map(parse, data) if a is not None]
        nav = next((a for a in actions if a.verb == "nav" and a.arg in ("next", "back", "skip")), None)
        if nav is None:
            return  # the summary
        code = nav.code
        answer_buttons = [d for d, a in zip(data, map(parse, data), strict=True) if a and a.verb == "ans"]
        step_is_evidence = not answer_buttons and any(a.verb == "doc" or a.verb == "evm" for a in actions)
        if step_is_evidence:
            next_button = next(
                d for d, a in zip(data, map(parse, data), strict=True) if a and a.verb == "nav" and a.arg == "next"
            )
            screen, _ = await people.press(user_id, screen, next_button)
            counts["navigation"] += 1
            continue
        if pace is not None:
            await pace.get()
        kind = framework.sub_index(code).method.kind
        if kind in TEXT_ANSWERS:
            screen, took = await people.send(user_id, TEXT_ANSWERS[kind])
        else:
            choice = next(d for d in answer_buttons if d.endswith("|d")) if kind == "criteria" else answer_buttons[0]
            screen, took = await people.press(user_id, screen, choice)
        latencies.append(took)
        counts["answers"] += 1
        answered += 1


async def open_loop(
    people: People, framework: Any, users: range, rate: float, seconds: float, latencies: list[float]
) -> dict[str, int]:
    """Answers offered at `rate` per second for `seconds` by the people of `users`."""
    pace: asyncio.Queue[None] = asyncio.Queue()
    counts = {"answers": 0, "navigation": 0}

    async def feeder() -> None:
        interval = 1 / rate
        next_at = time.perf_counter()
        for _ in range(int(rate * seconds)):
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            pace.put_nowait(None)

    feeding = asyncio.create_task(feeder())
    workers = [asyncio.create_task(answer_all(people, framework, u, latencies, counts, pace=pace)) for u in users]
    await feeding
    await asyncio.sleep(2)
    for worker in workers:
        worker.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    return counts


async def with_one_slow_chat(
    people: People, faults: Faults, framework: Any, users: range, rate: float, seconds: float
) -> tuple[list[float], int]:
    """The open loop again, while the first of `users` gets every reply 30 s late and keeps writing
    twice a second. Returns the others' latencies and how many updates the slow person sent."""
    slow, others = users[0], users[1:]
    methods = ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")
    faults.configure(
        [{"method": m, "kind": "delay", "delay": 30.0, "count": -1, "chat_id": slow} for m in methods], None
    )
    state = people.state
    sent = 0

    async def impatient() -> None:
        nonlocal sent
        chat = state.user(slow, f"Người {slow}")
        while True:
            text = "/tiep" if sent % 2 == 0 else "/help"
            await state.push_update({"message": state.new_message(chat, from_bot=False, text=text)})
            sent += 1
            await asyncio.sleep(0.5)

    writing = asyncio.create_task(impatient())
    latencies: list[float] = []
    try:
        await open_loop(people, framework, others, rate, seconds, latencies)
    finally:
        writing.cancel()
        faults.clear()  # the slow replies go out now, so the bot can stop
    return latencies, sent


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def main(n_people: int, offered_rate: float, latency_seconds: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        framework = await prepare(data_dir, n_people)
        app, state, faults = build_app(SANDBOX_TOKEN, [])
        runner = web.AppRunner(app, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
        env.update(
            DTI_DATA_DIR=str(data_dir), DTI_BOT_TOKEN=SANDBOX_TOKEN, DTI_TELEGRAM_API_URL=url, DTI_LOG_LEVEL="WARNING"
        )
        people = People(state)

        # Phase 1: closed loop, everybody at once.
        bot = await start_process(["-m", "bot", "run"], env, state, Path(tmp) / "bot.log")
        latencies: list[float] = []
        counts = {"answers": 0, "navigation": 0}
        start, cpu_start = time.perf_counter(), cpu_seconds(bot.pid)
        await asyncio.gather(
            *(answer_all(people, framework, FIRST_USER + n, latencies, counts) for n in range(n_people))
        )
        elapsed = time.perf_counter() - start
        updates = counts["answers"] + counts["navigation"] + n_people
        cpu_per_update = (cpu_seconds(bot.pid) - cpu_start) / updates
        answers_per_s, updates_per_s = counts["answers"] / elapsed, updates / elapsed

        # Phase 2: open loop at the offered rate (fresh people, same bot).
        db = Database(default_url(data_dir))
        async with db.session() as session, session.begin():
            await add_people(session, "V", FIRST_USER + n_people, n_people)
            await add_people(session, "W", FIRST_USER + 2 * n_people, n_people)
        await db.dispose()
        users = range(FIRST_USER + n_people, FIRST_USER + 2 * n_people)
        open_latencies: list[float] = []
        open_counts = await open_loop(people, framework, users, offered_rate, latency_seconds, open_latencies)

        # Phase 3: the same, with one chat's replies slowed to 30 s (fresh people, same bot).
        users = range(FIRST_USER + 2 * n_people, FIRST_USER + 3 * n_people)
        slow_latencies, slow_sent = await with_one_slow_chat(
            people, faults, framework, users, offered_rate, latency_seconds
        )
        await stop_process(bot)

        # Yardstick: the echo bot, closed loop with the same number of people.
        echo = await start_process([str(ROOT / "bench" / "_echo_bot.py")], env, state, Path(tmp) / "echo.log")
        echo_rounds = max(1, updates // n_people)

        async def chatter(user_id: int) -> None:
            for k in range(echo_rounds):
                await people.send(user_id, f"xin chào {k}")

        start, echo_cpu_start = time.perf_counter(), cpu_seconds(echo.pid)
        await asyncio.gather(*(chatter(FIRST_USER + 5 * n_people + n) for n in range(n_people)))
        echo_per_s = n_people * echo_rounds / (time.perf_counter() - start)
        echo_cpu = (cpu_seconds(echo.pid) - echo_cpu_start) / (n_people * echo_rounds)
        await stop_process(echo)
        await runner.cleanup()

    ratio = updates_per_s / echo_per_s
    p50, p95 = statistics.median(open_latencies) * 1000, pct(open_latencies, 0.95)
    slow_p50, slow_p95 = statistics.median(slow_latencies) * 1000, pct(slow_latencies, 0.95)
    print(f"conversation: {n_people} focal points × 20 items (bot process on SQLite, emulator over HTTP)")
    print(
        f"  closed loop: {counts['answers']} answers + {counts['navigation']} moves in {elapsed:.1f} s → "
        f"{answers_per_s:.0f} answers/s, {updates_per_s:.0f} updates/s; "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {pct(latencies, 0.95):.0f} ms; "
        f"bot CPU {cpu_per_update * 1000:.2f} ms per update"
    )
    print(
        f"  echo bot (bare aiogram, same emulator): {echo_per_s:.0f} updates/s, "
        f"CPU {echo_cpu * 1000:.2f} ms per update → ratio {ratio:.0%} "
        f"(target ≥ 50 %) {'OK' if ratio >= 0.5 else 'MISSED'}"
    )
    print(
        f"  open loop at {offered_rate:.0f} answers/s offered: {open_counts['answers']} answers, p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms (target < 250 ms) {'OK' if p95 < 250 else 'MISSED'}"
    )
    print(
        f"  with one chat's replies slowed to 30 s (it sent {slow_sent} updates meanwhile): everyone else's "
        f"{len(slow_latencies)} answers p50 {slow_p50:.0f} ms, p95 {slow_p95:.0f} ms (target < 1000 ms) "
        f"{'OK' if slow_p95 < 1000 else 'MISSED'}"
    )
    return 0 if ratio >= 0.5 and p95 < 250 and slow_p95 < 1000 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.people, args.rate, args.seconds)))
