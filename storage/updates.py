"""Exactly-once processing of Telegram updates.

The bot marks the update it is handling (`processing`); the first transaction that commits while
it is marked inserts the update id in the same commit as its own writes. A crash before that commit
leaves the id unrecorded, so Telegram's redelivery is processed; a replay after it is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from storage.lean import Lean
from storage.models import ProcessedUpdate
from storage.types import utcnow


@dataclass
class Marker:
    update_id: int
    recorded: bool = False


_current: ContextVar[Marker | None] = ContextVar("dti_current_update", default=None)


class TrackingSession(Session):
    """The sync session behind every AsyncSession of storage.db: records the marked update."""


@event.listens_for(TrackingSession, "before_commit")
def _record_in_commit(session: Session) -> None:
    marker = _current.get()
    if (
        marker is not None
        and not marker.recorded
        and (session.new or session.dirty or session.deleted or session.info.get("wrote"))
    ):
        session.add(ProcessedUpdate(update_id=marker.update_id, processed_at=utcnow()))
        session.info["update_marker"] = marker


@event.listens_for(TrackingSession, "after_commit")
def _mark_recorded(session: Session) -> None:
    marker = session.info.pop("update_marker", None)
    if marker is not None:
        marker.recorded = True


@event.listens_for(TrackingSession, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("update_marker", None)


@event.listens_for(TrackingSession, "do_orm_execute")
def _note_writes(state: Any) -> None:
    # Core INSERT/UPDATE statements (e.g. an upsert) do not show in session.new/dirty.
    if not state.is_select:
        state.session.info["wrote"] = True


@event.listens_for(TrackingSession, "after_transaction_end")
def _reset(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("wrote", None)


@contextmanager
def processing(update_id: int) -> Iterator[Marker]:
    marker = Marker(update_id)
    token = _current.set(marker)
    try:
        yield marker
    finally:
        _current.reset(token)


async def record_in(lean: Lean) -> Marker | None:
    """In a lean transaction that wrote: the marked update's record, in the same commit. The
    caller sets `recorded` once the commit is done."""
    marker = _current.get()
    if marker is None or marker.recorded or not lean.wrote:
        return None
    await lean.run(
        "INSERT INTO processed_update (update_id, processed_at) VALUES (:update_id, :at)",
        {"update_id": marker.update_id, "at": lean.instant(utcnow())},
    )
    return marker


async def already_processed(sql: Lean, update_id: int) -> bool:
    found = await sql.value("SELECT 1 FROM processed_update WHERE update_id = :id", {"id": update_id})
    return found is not None


async def record(sql: Lean, update_id: int) -> None:
    """The record of an update whose handling wrote nothing (so no commit carried it)."""
    await sql.run(
        "INSERT INTO processed_update (update_id, processed_at) VALUES (:update_id, :at) "
        "ON CONFLICT (update_id) DO NOTHING",
        {"update_id": update_id, "at": sql.instant(utcnow())},
    )


async def prune(session: Any, older_than: timedelta = timedelta(days=3), now: datetime | None = None) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < (now or utcnow()) - older_than)
    )
    return result.rowcount or 0
