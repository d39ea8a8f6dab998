"""Exactly-once processing of Telegram updates.

The bot marks the update it is handling (`processing`); the first transaction that commits while
it is marked inserts the update id in the same commit as its own writes. A crash before that commit
leaves the id unrecorded, so Telegram's redelivery is processed; a replay after it is dropped.
An update whose handling wrote nothing is recorded afterwards (`record_many`, many in one commit).

The poller confirms an update to Telegram only once it is recorded. When one is slow to finish,
the updates in hand are written to a `Spool` file instead, so that the offset can move on without
losing them: a restart handles the spooled ones first (and drops those already recorded).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from storage.lean import Lean
from storage.models import ProcessedUpdate
from storage.types import utcnow

logger = logging.getLogger(__name__)


class Marker:
    """The update being handled. `recorded` turns true once its record is committed; the poller
    is told (`on_record`) so that it can confirm the update to Telegram."""

    __slots__ = ("_recorded", "on_record", "retry", "update_id")

    def __init__(self, update_id: int, on_record: Callable[[], None] | None = None) -> None:
        self.update_id, self.on_record, self._recorded = update_id, on_record, False
        self.retry = False  # not handled at all (the database did not answer): hand it over again later

    @property
    def recorded(self) -> bool:
        return self._recorded

    @recorded.setter
    def recorded(self, value: bool) -> None:
        self._recorded = value
        if value and self.on_record is not None:
            self.on_record()


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
def processing(update: int | Marker) -> Iterator[Marker]:
    marker = update if isinstance(update, Marker) else Marker(update)
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
    # No ON CONFLICT here: a second process handling the same update (a webhook redelivered to
    # another replica) must fail on the key and roll its whole use case back.
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


async def record_many(sql: Lean, update_ids: Iterable[int]) -> None:
    """The records of several updates in one transaction (handled without a write, or unreadable)."""
    at = sql.instant(utcnow())
    for update_id in update_ids:
        await sql.run(
            "INSERT INTO processed_update (update_id, processed_at) VALUES (:update_id, :at) "
            "ON CONFLICT (update_id) DO NOTHING",
            {"update_id": update_id, "at": at},
        )


class Spool:
    """Updates in hand whose offset was confirmed before they were recorded, one JSON line each,
    until they are: a process killed meanwhile finds them here at its next start. Appended to as
    updates are spooled, written anew (then renamed into place) to drop the finished ones."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = 0  # as far as this process knows

    def add(self, updates: Iterable[dict[str, Any]]) -> None:
        text = "".join(json.dumps(u, ensure_ascii=False, separators=(",", ":")) + "\n" for u in updates)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Written through before the offset moves (a power cut must not lose what Telegram forgot),
        # and readable by the bot's user only: the updates carry what people typed.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a spool left by an older version keeps no wider mode
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        self.lines += text.count("\n")

    def rewrite(self, updates: list[dict[str, Any]]) -> None:
        if not updates:
            self.clear()
            return
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(u, ensure_ascii=False, separators=(",", ":")) + "\n" for u in updates))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, self.path)
        self.lines = len(updates)

    def load(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            logger.error("the spool of updates in hand %s cannot be read (%s); ignored", self.path, exc)
            return []
        found = []
        for line in lines:
            try:
                update = json.loads(line)
            except ValueError:
                continue  # a line torn by a crash mid-append: the update it held was never confirmed
            if isinstance(update, dict):
                found.append(update)
        self.lines = len(lines)
        return found

    def clear(self) -> None:
        with suppress(FileNotFoundError):
            self.path.unlink()
        self.lines = 0


async def prune(session: Any, older_than: timedelta = timedelta(days=3), now: datetime | None = None) -> int:
    result = await session.execute(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < (now or utcnow()) - older_than)
    )
    return result.rowcount or 0
