"""Check the evidence store against the database: every stored file present and intact."""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import select

from storage.db import Database
from storage.files import EvidenceStore, VerifyReport
from storage.models import Evidence


async def evidence_keys(db: Database) -> list[str]:
    """The content keys of every stored evidence file, once each, sorted."""
    async with db.read_session() as session:
        rows = await session.execute(select(Evidence.content_key).where(Evidence.content_key.is_not(None)).distinct())
        return sorted(k for (k,) in rows)


async def verify_evidence(db: Database, store: EvidenceStore, sample: int | None = None) -> VerifyReport:
    """Re-hash every referenced file (or a random sample of them, for a quick health check)."""
    keys = await evidence_keys(db)
    if sample is not None and len(keys) > sample:
        keys = random.sample(keys, sample)
    return await asyncio.to_thread(store.verify, keys)
