"""Several sender processes on one database: no message claimed twice, the global rate still holds."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.services.outbox import NewMessage, claim, enqueue
from storage.db import Database
from storage.models import Outbox


async def test_concurrent_senders_never_claim_the_same_message_and_share_the_rate(db):
    await enqueue(db, [NewMessage(f"m:{n}", 900_000 + n, {"text": "x", "rows": []}) for n in range(300)])
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
