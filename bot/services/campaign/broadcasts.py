"""Coordinators' broadcasts: text → audience → preview with the number of recipients → confirm,
now or at a chosen time. Messages go through the outbox (batch "bc:<id>")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.services.access import Actor
from bot.services.campaign.outbox import BatchCounts, NewMessage, batch_counts, enqueue_in
from bot.services.campaign.periods import open_periods
from bot.services.campaign.progress import Contact, UnitProgress, period_progress
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import visible
from storage.db import Database
from storage.models import Broadcast, Conversation

MAX_TEXT = 3500
AUDIENCES = ("focal_points", "behind", "leaders")


@dataclass(frozen=True)
class Audiences:
    cohorts: tuple[tuple[str, str], ...]  # (code, name)


@dataclass(frozen=True)
class Preview:
    text: str
    audience: str
    recipients: int
    units: int


@dataclass(frozen=True)
class Created:
    id: int
    recipients: int
    send_at: datetime


@dataclass(frozen=True)
class Report:
    broadcast_id: int
    chat_id: int
    message_id: int
    counts: BatchCounts


async def _cursor(session, actor: Actor) -> Conversation:  # type: ignore[no-untyped-def]
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    if conversation is None:
        conversation = Conversation(person_id=actor.person_id, cursor={})
        session.add(conversation)
    return conversation


async def begin(db: Database, actor: Actor) -> None:
    """The coordinator is asked for the text of a new broadcast."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        (await _cursor(session, actor)).cursor = {"flow": "broadcast", "step": "text"}


async def in_broadcast(db: Database, actor: Actor) -> bool:
    """Is this person composing a broadcast (their typed text is its text)?"""
    if not actor.may(Action.BROADCAST):
        return False
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        return bool(conversation and (conversation.cursor or {}).get("flow") == "broadcast")


async def take_text(db: Database, actor: Actor, text: str) -> Audiences:
    """The coordinator's text is kept and they are asked whom to send it to."""
    actor.require(Action.BROADCAST)
    text = text.strip()
    if text and not visible(text):
        raise ServiceError("invisible_text")
    if not 1 <= len(text) <= MAX_TEXT:
        raise ServiceError("broadcast_too_long", limit=MAX_TEXT)
    async with db.session() as session, session.begin():
        conversation = await _cursor(session, actor)
        conversation.cursor = {"flow": "broadcast", "step": "audience", "text": text}
        units = await _units(session)
    cohorts = sorted({(u.cohort, u.cohort) for u in units if u.cohort})
    return Audiences(tuple(cohorts))


async def _units(session) -> list[UnitProgress]:  # type: ignore[no-untyped-def]
    periods = await open_periods(session)
    if not periods:
        raise ServiceError("no_open_period")
    return (await period_progress(session, periods[-1]))[1]


def recipients(units: list[UnitProgress], audience: str) -> tuple[list[Contact], int]:
    if audience == "leaders":
        chosen = [u for u in units if u.leaders]
        return [c for u in chosen for c in u.leaders], len(chosen)
    if audience == "behind":
        chosen = [u for u in units if u.behind]
    elif audience.startswith("cohort:"):
        chosen = [u for u in units if u.cohort == audience[7:]]
    elif audience == "focal_points":
        chosen = units
    else:
        raise ServiceError("unknown_audience")
    return [c for u in chosen for c in u.focal_points], len(chosen)


async def choose_audience(db: Database, actor: Actor, audience: str) -> Preview:
    """The coordinator sees the broadcast with how many people and units it reaches, to confirm."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        conversation = await _cursor(session, actor)
        cursor = conversation.cursor or {}
        if cursor.get("flow") != "broadcast" or "text" not in cursor:
            raise ServiceError("no_broadcast")
        people, units = recipients(await _units(session), audience)
        conversation.cursor = {**cursor, "step": "confirm", "audience": audience}
        return Preview(cursor["text"], audience, len({p.person_id for p in people}), units)


async def confirm(
    db: Database, actor: Actor, render_text: Callable[[str], str], send_at: datetime | None = None, *, now: datetime
) -> Created:
    """Queue the broadcast. `render_text(text)` gives the message as people will read it."""
    actor.require(Action.BROADCAST)
    send_at = send_at or now
    if send_at < now.replace(second=0, microsecond=0):
        raise ServiceError("broadcast_in_past")
    async with db.session() as session, session.begin():
        conversation = await _cursor(session, actor)
        cursor = conversation.cursor or {}
        if cursor.get("step") != "confirm":
            raise ServiceError("no_broadcast")
        units = await _units(session)
        people, _count = recipients(units, cursor["audience"])
        periods = await open_periods(session)
        broadcast = Broadcast(
            created_by=actor.person_id,
            period_id=periods[-1].id,
            text=cursor["text"],
            audience=cursor["audience"],
            send_at=send_at,
            report_chat_id=actor.telegram_id,
        )
        session.add(broadcast)
        await session.flush()
        unique = {p.person_id: p for p in people if p.reachable}
        broadcast.recipients = len(unique)
        payload = {"text": render_text(cursor["text"]), "rows": []}
        await enqueue_in(
            session,
            [
                NewMessage(
                    f"bc:{broadcast.id}:{p.person_id}",
                    p.chat_id,
                    payload,
                    p.person_id,
                    "broadcast",
                    f"bc:{broadcast.id}",
                    send_at,
                )
                for p in unique.values()
            ],
            now,
        )
        conversation.cursor = {}
        return Created(broadcast.id, broadcast.recipients, send_at)


async def cancel(db: Database, actor: Actor) -> None:
    """The coordinator drops the broadcast being written; nothing is sent."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        (await _cursor(session, actor)).cursor = {}


async def attach_report(db: Database, actor: Actor, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """The message the delivery report is kept up to date in (only the broadcast's author's)."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.created_by != actor.person_id:
            raise ServiceError("unknown_item")
        broadcast.report_chat_id, broadcast.report_message_id = chat_id, message_id


async def open_reports(db: Database, now: datetime) -> list[Report]:
    """Delivery reports still being updated; a finished one is marked and reported one last time."""
    async with db.read_session() as session:
        rows = (
            (
                await session.execute(
                    select(Broadcast).where(Broadcast.finished.is_(False), Broadcast.report_message_id.is_not(None))
                )
            )
            .scalars()
            .all()
        )
    reports = []
    for broadcast in rows:
        counts = await batch_counts(db, f"bc:{broadcast.id}")
        reports.append(Report(broadcast.id, broadcast.report_chat_id, broadcast.report_message_id, counts))
        if counts.done and broadcast.send_at <= now:
            async with db.session() as session, session.begin():
                (await session.get(Broadcast, broadcast.id)).finished = True
    return reports
