"""Several sender processes on one database: no message claimed twice, the global rate still holds."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.services.campaign.outbox import NewMessage, claim, enqueue
from storage.db import Database
from storage.models import Outbox
from storage.types import utcnow


async def test_concurrent_senders_never_claim_the_same_message_and_share_the_rate(db):
    await enqueue(db, [NewMessage(f"m:{n}", 900_000 + n, {"text": "x", "rows": []}) for n in range(300)], now=utcnow())
    now = datetime.now(UTC)
    senders = [Database(db.url) for _ in range(3)]  # three processes' own engines
    try:
        claims = await asyncio.gather(*(claim(s, rate=40, now=now, limit=50) for s in senders))
        claims += await asyncio.gather(
            *(claim(s, rate=40, now=now + timedelta(milliseconds=300), limit=50) for s in senders)
        )
    finally:
        for s in senders:
            await s.dispose()
    ids = [c.id for batch in claims for c in batch]
    assert len(ids) == len(set(ids))  # nobody sends a message twice
    assert len(ids) == 40  # all of them together took one second's worth: the global rate holds
    async with db.session() as session:
        sending = (
            await session.execute(select(func.count()).select_from(Outbox).where(Outbox.state == "sending"))
        ).scalar_one()
    assert sending == 40


async def test_a_claim_older_than_the_configured_stale_time_is_taken_back_and_a_younger_one_is_not(db):
    await enqueue(db, [NewMessage("stale:1", 910_001, {"text": "x", "rows": []})], now=utcnow())
    start = datetime.now(UTC) + timedelta(seconds=1)  # the message is due
    [first] = await claim(db, rate=10, now=start, stale_after=timedelta(seconds=5))
    # The sender died: 3 s later the claim still stands, 6 s later (past DTI_OUTBOX_STALE_SECONDS=5) it is taken back.
    assert await claim(db, rate=10, now=start + timedelta(seconds=3), stale_after=timedelta(seconds=5)) == []
    [again] = await claim(db, rate=10, now=start + timedelta(seconds=6), stale_after=timedelta(seconds=5))
    assert again.id == first.id
