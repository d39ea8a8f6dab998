"""Broadcast delivery at Telegram's limits: 5,000 recipients through the emulator configured like
Telegram (30 messages/s overall, 1 message/s per chat, 429 beyond), the sender at its default
25 messages/s. Reports the achieved rate, 429s received and messages lost.

Targets: at least 95 % of the configured rate, no 429 in steady state, none lost.
Run: make bench   (or .venv/bin/python bench/broadcast.py [--recipients N] [--rate R])
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from bot.app import create_bot  # noqa: E402
from bot.outbox_sender import OutboxSender  # noqa: E402
from bot.sandbox.server import SANDBOX_TOKEN, build_app  # noqa: E402
from bot.services.campaign.outbox import NewMessage, enqueue, pending_count  # noqa: E402
from storage.db import Database, default_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.types import utcnow  # noqa: E402


async def main(recipients: int, rate: float) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(default_url(Path(tmp)))
        await upgrade(db)
        await enqueue(
            db,
            [
                NewMessage(f"bench:{n}", 800_000 + n, {"text": f"Thông báo số {n}", "rows": []}, batch="bench")
                for n in range(recipients)
            ],
            now=utcnow(),
        )
        app, state, faults = build_app(SANDBOX_TOKEN, [])
        faults.configure([], {"global_per_second": 30, "per_chat_per_second": 1})
        runner = web.AppRunner(app, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        bot = create_bot(SANDBOX_TOKEN, url, retry=False)
        sender = OutboxSender(bot, db, rate=rate)
        start = time.perf_counter()
        while await pending_count(db) > 0:
            if not await sender.drain(5):
                await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
        await bot.session.close()
        await runner.cleanup()
        await db.dispose()
    counts = collections.Counter(chat for _t, chat, _m in state.sent_log)
    lost = recipients - len(counts)
    duplicates = sum(c - 1 for c in counts.values())
    achieved = recipients / elapsed
    share = achieved / rate
    throttled = state.stats["429"]
    print(
        f"broadcast: {recipients} recipients, emulator at Telegram's limits (30/s overall, 1/s per chat), "
        f"sender configured at {rate:.0f}/s"
    )
    print(
        f"  achieved {achieved:.2f} messages/s = {share:.1%} of the configured rate (target ≥ 95 %) "
        f"{'OK' if share >= 0.95 else 'MISSED'}"
    )
    print(
        f"  429 received: {throttled} (target 0) {'OK' if throttled == 0 else 'MISSED'}; lost: {lost}, "
        f"duplicates: {duplicates} (target 0) {'OK' if lost == 0 and duplicates == 0 else 'MISSED'}"
    )
    return 0 if share >= 0.95 and throttled == 0 and lost == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=25.0)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.recipients, args.rate)))
