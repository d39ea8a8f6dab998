"""The outbox: every message the bot starts itself (reminders, broadcasts, notices) is a row first.

Planning inserts rows with a unique dedupe key, so planning twice — or after a restart — queues a
message once. Senders claim rows under a one-row rate window locked for update, so several sender
processes together stay under the global rate; on PostgreSQL rows are claimed with
`FOR UPDATE SKIP LOCKED`. A row left "sending" by a killed sender goes back to the queue after
`stale_after`: only messages in flight at a kill can be sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Membership, Outbox, OutboxWindow, Person

MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class NewMessage:
    dedupe_key: str
    chat_id: int
    payload: dict[str, Any]  # {"text": ..., "rows": [[{"text", "action"}]]}
    person_id: int | None = None
    kind: str = ""
    batch: str = ""
    not_before: datetime | None = None


@dataclass(frozen=True)
class Claimed:
    id: int
    chat_id: int
    payload: dict[str, Any]
    person_id: int | None
    kind: str
    batch: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed message: sent, retry, rate_limited, blocked or failed."""

    id: int
    result: str
    retry_after: float = 0.0
    error: str = ""


@dataclass
class BatchCounts:
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.by_state.get("pending", 0) + self.by_state.get("sending", 0) == 0


async def enqueue_in(session: AsyncSession, messages: Iterable[NewMessage], now: datetime) -> int:
    """Insert messages whose dedupe key is new (due at `now` unless they say when); returns how many
    were new."""
    rows = [
        {
            "dedupe_key": m.dedupe_key,
            "chat_id": m.chat_id,
            "payload": m.payload,
            "person_id": m.person_id,
            "kind": m.kind,
            "batch": m.batch,
            "state": "pending",
            "attempts": 0,
            "not_before": m.not_before or now,
            "error": "",
            "created_at": now,
        }
        for m in messages
    ]
    if not rows:
        return 0
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(rows), 500):
        result = await session.execute(
            insert(Outbox).values(rows[start : start + 500]).on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        added += result.rowcount or 0
    return added


async def enqueue(db: Database, messages: Iterable[NewMessage], now: datetime) -> int:
    """Queue messages for the sender (a message already queued under its dedupe key is not queued again)."""
    async with db.session() as session, session.begin():
        return await enqueue_in(session, messages, now)


async def claim(
    db: Database, rate: float, now: datetime, limit: int = 50, stale_after: timedelta = STALE_AFTER
) -> list[Claimed]:
    """Take the messages this sender may send now: within the global rate (for all senders
    together), at most one per chat per second, due ones first."""
    async with db.session() as session, session.begin():
        await session.execute(
            update(Outbox)
            .where(Outbox.state == "sending", Outbox.claimed_at < now - stale_after)
            .values(state="pending", claimed_at=None)
        )
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        await session.execute(  # the one window row, created once whoever comes first
            insert(OutboxWindow).values(id=1, window_start=now, taken=0).on_conflict_do_nothing(index_elements=["id"])
        )
        window = (
            await session.execute(
                select(OutboxWindow)
                .where(OutboxWindow.id == 1)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalar_one()
        if window.paused_until is not None and window.paused_until > now:
            return []
        if now - window.window_start >= timedelta(seconds=1):
            window.window_start, window.taken = now, 0
        budget = min(limit, int(rate) - window.taken)
        if budget <= 0:
            return []
        recent = select(Outbox.chat_id).where(Outbox.sent_at > now - timedelta(seconds=1)).scalar_subquery()
        in_flight = select(Outbox.chat_id).where(Outbox.state == "sending").scalar_subquery()
        query = (
            select(Outbox)
            .where(
                Outbox.state == "pending",
                Outbox.not_before <= now,
                Outbox.chat_id.not_in(recent),
                Outbox.chat_id.not_in(in_flight),
            )
            .order_by(Outbox.not_before, Outbox.id)
            .limit(budget * 2)
        )
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed: list[Claimed] = []
        chats: set[int] = set()
        for row in (await session.execute(query)).scalars():
            if row.chat_id in chats or len(claimed) >= budget:
                continue
            chats.add(row.chat_id)
            row.state, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
            claimed.append(Claimed(row.id, row.chat_id, row.payload, row.person_id, row.kind, row.batch, row.attempts))
        window.taken += len(claimed)
        return claimed


async def finish(db: Database, outcomes: Iterable[Outcome], now: datetime) -> list[int]:
    """Record what happened; returns the persons found unreachable (403) for reporting."""
    unreachable: list[int] = []
    async with db.session() as session, session.begin():
        pause_until = None
        for outcome in outcomes:
            row = await session.get(Outbox, outcome.id)
            if row is None:
                continue
            row.claimed_at = None
            if outcome.result == "sent":
                row.state, row.sent_at, row.error = "sent", now, ""
            elif outcome.result == "rate_limited":
                row.state, row.attempts = "pending", max(0, row.attempts - 1)  # not the message's fault
                row.not_before = now + timedelta(seconds=outcome.retry_after)
                pause_until = max(pause_until or now, row.not_before)
            elif outcome.result == "retry" and row.attempts < MAX_ATTEMPTS:
                row.state, row.error = "pending", outcome.error[:1000]
                row.not_before = now + timedelta(seconds=min(2**row.attempts, 300))
            elif outcome.result == "blocked":
                row.state, row.error = "blocked", outcome.error[:1000]
                if row.person_id is not None:
                    person = await session.get(Person, row.person_id)
                    if person is not None and person.reachable:
                        person.reachable = False
                        unreachable.append(person.id)
            else:
                row.state, row.error = "failed", outcome.error[:1000]
        if pause_until is not None:
            window = await session.get(OutboxWindow, 1, with_for_update=True)
            if window is not None:
                window.paused_until = max(window.paused_until or now, pause_until)
    return unreachable


async def batch_counts(db: Database, batch: str) -> BatchCounts:
    """How far a broadcast or reminder round has gone: its messages by state."""
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(Outbox.state, func.count()).where(Outbox.batch == batch).group_by(Outbox.state)
            )
        ).all()
    counts = BatchCounts(by_state={state: n for state, n in rows})
    counts.total = sum(counts.by_state.values())
    return counts


async def pending_count(db: Database) -> int:
    """How many messages wait to be sent."""
    async with db.read_session() as session:
        return (
            await session.execute(
                select(func.count()).select_from(Outbox).where(Outbox.state.in_(("pending", "sending")))
            )
        ).scalar_one()


async def coordinator_chats(db: Database) -> list[tuple[int, int]]:
    """(person id, chat id) of every reachable coordinator."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(Person.id, Person.telegram_id)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.role == "coordinator",
                Membership.active.is_(True),
                Person.reachable.is_(True),
                Person.telegram_id.is_not(None),
            )
            .distinct()
        )
        return [(person_id, chat_id) for person_id, chat_id in rows]


async def person_names(db: Database, person_ids: list[int]) -> list[str]:
    """The names of people, for a coordinator's notice (e.g. who blocked the bot)."""
    async with db.read_session() as session:
        rows = await session.execute(select(Person.full_name).where(Person.id.in_(person_ids)).order_by(Person.id))
        return [name or "?" for (name,) in rows]
