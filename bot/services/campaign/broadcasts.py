"""Coordinators' broadcasts: text → audience → preview with the number of recipients → confirm,
now, today or tomorrow at 08:00, or at a typed local time; a scheduled broadcast can be cancelled
until its first message goes. Messages go through the outbox (batch "bc:<id>")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from bot.campaign_calendar import TIMEZONE, local_date, tomorrow_at
from bot.services.access import Actor
from bot.services.admin.frameworks import framework_of
from bot.services.campaign.outbox import BatchCounts, NewMessage, batch_counts, enqueue_in
from bot.services.campaign.periods import open_periods
from bot.services.campaign.progress import Contact, UnitProgress, period_progress
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import visible
from scoring.states import OutboxState
from storage.db import Database
from storage.models import Broadcast, Conversation, FrameworkVersion, Outbox, Period

MAX_TEXT = 3500
AUDIENCES = ("focal_points", "behind", "leaders")
MORNING = time(8, 0)  # "today / tomorrow at 08:00"
FURTHEST = timedelta(days=366)  # a broadcast is scheduled at most a year ahead


@dataclass(frozen=True)
class Audiences:
    cohorts: tuple[tuple[str, str], ...]  # (code, name from the framework: "khối sở, ban, ngành")


@dataclass(frozen=True)
class Preview:
    text: str
    audience: str
    recipients: int
    units: int
    cohort_name: str = ""  # the audience's cohort, named (audience "cohort:<code>")
    today_at_8: bool = False  # 08:00 today is still ahead: offer it


@dataclass(frozen=True)
class Created:
    id: int
    recipients: int
    send_at: datetime
    audience: str = "focal_points"
    cohort_name: str = ""
    scheduled: bool = False  # sent later, so it can still be cancelled


@dataclass(frozen=True)
class Scheduled:
    """A broadcast waiting for its time (nothing sent yet)."""

    id: int
    send_at: datetime
    audience: str
    cohort_name: str
    recipients: int


@dataclass(frozen=True)
class Cancelled:
    id: int
    send_at: datetime
    audience: str
    cohort_name: str
    messages: int  # queued messages that will never go


@dataclass(frozen=True)
class Report:
    broadcast_id: int
    chat_id: int
    message_id: int
    counts: BatchCounts
    audience: str = ""
    cohort_name: str = ""
    send_at: datetime | None = None
    waiting_for_time: bool = False  # scheduled and its time has not come

    @property
    def cancelled(self) -> bool:
        """The broadcast was cancelled before anything went."""
        return bool(self.counts.by_state.get(OutboxState.CANCELLED.value)) and not any(
            self.counts.by_state.get(s.value) for s in (OutboxState.SENT, OutboxState.SENDING)
        )


async def _cursor(session, actor: Actor) -> Conversation:  # type: ignore[no-untyped-def]
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    if conversation is None:
        conversation = Conversation(person_id=actor.person_id, cursor={})
        session.add(conversation)
    return conversation


async def _cohort_name(session, period_id: int | None, audience: str) -> str:  # type: ignore[no-untyped-def]
    """The framework's name of an audience's cohort ("" for the other audiences)."""
    if not audience.startswith("cohort:") or period_id is None:
        return ""
    period = await session.get(Period, period_id)
    version = await session.get(FrameworkVersion, period.framework_version_id) if period else None
    return framework_of(version).ranking.cohort_name(audience[7:]) if version else audience[7:]


async def begin(db: Database, actor: Actor, *, now: datetime | None = None) -> tuple[Scheduled, ...]:
    """The coordinator is asked for the text of a new broadcast (and, given `now`, sees the
    broadcasts still waiting for their time, each of which can be cancelled)."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        (await _cursor(session, actor)).cursor = {"flow": "broadcast", "step": "text"}
    return await scheduled(db, actor, now=now) if now is not None else ()


async def scheduled(db: Database, actor: Actor, *, now: datetime) -> tuple[Scheduled, ...]:
    """Broadcasts whose time has not come and of which nothing was sent (soonest first)."""
    actor.require(Action.BROADCAST)
    async with db.read_session() as session:
        rows = (
            (
                await session.execute(
                    select(Broadcast)
                    .where(Broadcast.send_at > now, Broadcast.finished.is_(False))
                    .order_by(Broadcast.send_at, Broadcast.id)
                )
            )
            .scalars()
            .all()
        )
        out = []
        for broadcast in rows:
            states = await _states(session, broadcast.id)
            if set(states) - {OutboxState.PENDING.value}:
                continue  # cancelled, or already going
            name = await _cohort_name(session, broadcast.period_id, broadcast.audience)
            out.append(Scheduled(broadcast.id, broadcast.send_at, broadcast.audience, name, broadcast.recipients))
    return tuple(out)


async def _states(session, broadcast_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = await session.execute(
        select(Outbox.state, func.count()).where(Outbox.batch == f"bc:{broadcast_id}").group_by(Outbox.state)
    )
    return {state: n for state, n in rows}


async def in_broadcast(db: Database, actor: Actor) -> bool:
    """Is this person composing a broadcast (their typed text is its text, or its time)?"""
    if not actor.may(Action.BROADCAST):
        return False
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        return bool(conversation and (conversation.cursor or {}).get("flow") == "broadcast")


async def typed(
    db: Database, actor: Actor, text: str, render_text: Callable[[str], str], *, now: datetime
) -> Audiences | Created:
    """What the coordinator typed: after "🗓 Another time", the time to send at (the broadcast is
    then scheduled); otherwise the broadcast's text (they are then asked whom to send it to)."""
    actor.require(Action.BROADCAST)
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        step = ((conversation.cursor if conversation else None) or {}).get("step")
    if step == "when":
        return await confirm(db, actor, render_text, parse_send_at(text, now), now=now)
    return await take_text(db, actor, text)


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
        framework, units, _period = await _units(session)
    cohorts = sorted({u.cohort for u in units if u.cohort})
    return Audiences(tuple((code, framework.ranking.cohort_name(code)) for code in cohorts))


async def ask_time(db: Database, actor: Actor) -> None:
    """After "🗓 Another time" the coordinator's next typed text is the time to send at."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        conversation = await _cursor(session, actor)
        cursor = conversation.cursor or {}
        if cursor.get("flow") != "broadcast" or cursor.get("step") not in ("confirm", "when"):
            raise ServiceError("no_broadcast")
        conversation.cursor = {**cursor, "step": "when"}


async def _units(session):  # type: ignore[no-untyped-def]
    periods = await open_periods(session)
    if not periods:
        raise ServiceError("no_open_period")
    framework, units = await period_progress(session, periods[-1])
    return framework, units, periods[-1]


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


async def choose_audience(db: Database, actor: Actor, audience: str, *, now: datetime | None = None) -> Preview:
    """The coordinator sees the broadcast with how many people and units it reaches, to confirm."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        conversation = await _cursor(session, actor)
        cursor = conversation.cursor or {}
        if cursor.get("flow") != "broadcast" or "text" not in cursor:
            raise ServiceError("no_broadcast")
        framework, units, _period = await _units(session)
        people, count = recipients(units, audience)
        conversation.cursor = {**cursor, "step": "confirm", "audience": audience}
        name = framework.ranking.cohort_name(audience[7:]) if audience.startswith("cohort:") else ""
        early = now is not None and _today_at_8(now) > now
        return Preview(cursor["text"], audience, len({p.person_id for p in people}), count, name, early)


def _today_at_8(now: datetime) -> datetime:
    return datetime.combine(local_date(now), MORNING, tzinfo=TIMEZONE)


def preset_time(choice: str, now: datetime) -> datetime | None:
    """A send button's time: now (None), 08:00 today, or 08:00 tomorrow (campaign time)."""
    if choice == "today":
        return _today_at_8(now)
    if choice == "tomorrow":
        return tomorrow_at(now, MORNING)
    if choice == "now":
        return None
    raise ServiceError("unknown_item")


_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?!\d)")
_TIME = re.compile(r"(?<![\d/.-])(\d{1,2})\s*(?::|h|g|giờ)\s*(\d{2})?(?:\s*(?:phút|p))?(?![\d/])")


def parse_send_at(text: str, now: datetime) -> datetime:
    """A time typed the Vietnamese way, in the campaign's timezone: "25/11/2026 14:30", "14h30 ngày
    25/11", "8h 26/11/2026", or "15:00" (today). It must be ahead of `now`, and within a year."""
    typed = text.strip().lower()
    dates = list(_DATE.finditer(typed))  # "14.30 25/11/2026": the one with a year is the date
    found_date = next((m for m in dates if m.group(3)), dates[0] if dates else None)
    rest = typed[: found_date.start()] + " " + typed[found_date.end() :] if found_date else typed
    found_time = _TIME.search(rest)
    if found_time is None:
        raise ServiceError("broadcast_bad_time")
    today = local_date(now)
    try:
        if found_date:
            day, month, year = found_date.groups()
            year_number = int(year) + (2000 if len(year) == 2 else 0) if year else today.year
            on = date(year_number, int(month), int(day))
        else:
            on = today
        at = time(int(found_time.group(1)), int(found_time.group(2) or 0))
    except ValueError as exc:
        raise ServiceError("broadcast_bad_time") from exc
    send_at = datetime.combine(on, at, tzinfo=TIMEZONE)
    if send_at < now.replace(second=0, microsecond=0):
        raise ServiceError("broadcast_in_past")
    if send_at > now + FURTHEST:
        raise ServiceError("broadcast_too_far")
    return send_at


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
        if cursor.get("step") not in ("confirm", "when"):
            raise ServiceError("no_broadcast")
        framework, units, period = await _units(session)
        people, _count = recipients(units, cursor["audience"])
        broadcast = Broadcast(
            created_by=actor.person_id,
            period_id=period.id,
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
        audience = cursor["audience"]
        name = framework.ranking.cohort_name(audience[7:]) if audience.startswith("cohort:") else ""
        return Created(broadcast.id, broadcast.recipients, send_at, audience, name, send_at > now)


async def cancel(db: Database, actor: Actor) -> None:
    """The coordinator drops the broadcast being written; nothing is sent."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        (await _cursor(session, actor)).cursor = {}


async def cancel_scheduled(db: Database, actor: Actor, broadcast_id: int) -> Cancelled:
    """A scheduled broadcast is called off: its queued messages are cancelled, all of them, in one
    transaction. Once any of them has gone (or is going) it is refused and nothing changes."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None:
            raise ServiceError("unknown_item")
        # Cancel first, then look: a sender that claimed a row meanwhile shows up as "sending" and
        # the whole cancellation is rolled back (on PostgreSQL the UPDATE waits for its claim).
        result = await session.execute(
            update(Outbox)
            .where(Outbox.batch == f"bc:{broadcast_id}", Outbox.state == OutboxState.PENDING.value)
            .values(state=OutboxState.CANCELLED.value)
            .execution_options(synchronize_session=False)
        )
        states = await _states(session, broadcast_id)
        if set(states) - {OutboxState.CANCELLED.value}:
            raise ServiceError("broadcast_already_sent", id=broadcast_id)
        if not result.rowcount and states:
            raise ServiceError("broadcast_already_cancelled", id=broadcast_id)
        name = await _cohort_name(session, broadcast.period_id, broadcast.audience)
        return Cancelled(broadcast.id, broadcast.send_at, broadcast.audience, name, result.rowcount or 0)


async def attach_report(db: Database, actor: Actor, broadcast_id: int, chat_id: int, message_id: int) -> None:
    """The message the delivery report is kept up to date in (only the broadcast's author's)."""
    actor.require(Action.BROADCAST)
    async with db.session() as session, session.begin():
        broadcast = await session.get(Broadcast, broadcast_id)
        if broadcast is None or broadcast.created_by != actor.person_id:
            raise ServiceError("unknown_item")
        broadcast.report_chat_id, broadcast.report_message_id = chat_id, message_id


async def open_reports(db: Database, now: datetime) -> list[Report]:
    """Delivery reports still being updated; a finished (or cancelled) one is marked and reported one
    last time."""
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
        names = {b.id: await _cohort_name(session, b.period_id, b.audience) for b in rows}
    reports = []
    for broadcast in rows:
        counts = await batch_counts(db, f"bc:{broadcast.id}")
        report = Report(
            broadcast.id,
            broadcast.report_chat_id,
            broadcast.report_message_id,
            counts,
            broadcast.audience,
            names[broadcast.id],
            broadcast.send_at,
            broadcast.send_at > now,
        )
        reports.append(report)
        if counts.done and (broadcast.send_at <= now or report.cancelled):
            async with db.session() as session, session.begin():
                (await session.get(Broadcast, broadcast.id)).finished = True
    return reports
