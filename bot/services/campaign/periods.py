"""Assessment periods: open one, move it through its phases, move the deadline, list.

The yearly cycle is draft → self-assessment ("open") → appraisal ("locked") → provisional results
("provisional", units may object until the feedback deadline) → final ("published", locked). Every
move is written to `period_change` with who, when, from where and why; going back (reopening) needs
a reason. Entering the appraisal sets the supplement deadline, entering the provisional results the
feedback deadline (given, or a few working days by default). Publishing provisional or final results
tells every unit's focal points and leaders its points and rank, one message per person.

The old command names stay: lock (= appraisal), unlock (back to self-assessment), publish (= final,
also from an earlier phase) and unpublish (back to appraisal). What else is recorded: a second
period for the same framework and year, a new deadline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_calendar import local_date, working_days_after
from bot.services.access import Actor
from bot.services.admin.frameworks import framework_by_hash, publish_in
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import visible
from scoring import Framework
from scoring.states import VISIBLE_PERIOD_STATES, AnswerStatus, ApprovalAction, ObjectionState, PeriodState
from storage.db import Database
from storage.models import (
    Answer,
    Conversation,
    FrameworkVersion,
    Membership,
    Objection,
    Period,
    PeriodChange,
    Person,
    Unit,
)
from storage.queries import latest_framework_version

# move → (the phases it starts from, the phase it reaches)
TRANSITIONS = {
    "start": ({"draft"}, "open"),  # the self-assessment begins
    "appraisal": ({"open"}, "locked"),
    "provisional": ({"locked"}, "provisional"),
    "final": ({"provisional"}, "published"),
    # the command line's older names
    "lock": ({"open"}, "locked"),
    "unlock": ({"locked"}, "open"),
    "publish": ({"open", "locked", "provisional"}, "published"),
    "unpublish": ({"published"}, "locked"),
}
PHASES = (PeriodState.DRAFT, PeriodState.OPEN, PeriodState.LOCKED, PeriodState.PROVISIONAL, PeriodState.PUBLISHED)
# "reopen" goes one phase back unless told where (never back to the draft)
REOPEN_TO = {PeriodState.LOCKED: PeriodState.OPEN, PeriodState.PROVISIONAL: PeriodState.LOCKED}
REOPEN_TO[PeriodState.PUBLISHED] = PeriodState.PROVISIONAL
NEXT_MOVE = {PeriodState.DRAFT: "start", PeriodState.OPEN: "appraisal", PeriodState.LOCKED: "provisional"}
NEXT_MOVE[PeriodState.PROVISIONAL] = "final"
# Default windows, in working days: supplements after the self-assessment deadline (or today, when
# the appraisal starts later), objections after the provisional results.
SUPPLEMENT_WORKING_DAYS = 15
FEEDBACK_WORKING_DAYS = 5
REASON_MAX = 1000


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    framework: str
    year: int
    title: str
    state: str
    deadline: date
    opens_at: datetime
    supplement_deadline: date | None = None
    feedback_deadline: date | None = None
    unit_approval: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "framework": self.framework,
            "year": self.year,
            "title": self.title,
            "state": self.state,
            "deadline": self.deadline.isoformat(),
        }


def _info(period: Period, version: FrameworkVersion) -> PeriodInfo:
    return PeriodInfo(
        period.id,
        version.framework_id,
        period.year,
        period.title,
        period.state,
        period.deadline,
        period.opens_at,
        period.supplement_deadline,
        period.feedback_deadline,
        bool(period.unit_approval),
    )


async def open_period(
    db: Database,
    actor: Actor,
    framework_ref: str,
    year: int,
    deadline: date,
    title: str | None = None,
    dirs: list[Path] | None = None,
    state: str = "open",
    again_reason: str | None = None,
) -> PeriodInfo:
    """Open a period on the newest published version of a framework (publishing the file if needed).
    A framework has one period a year: a second one is opened only with `again_reason`."""
    actor.require(Action.MANAGE_PERIODS)
    async with db.session() as session, session.begin():
        version = await latest_framework_version(session, framework_ref)
        if version is None:
            published = await publish_in(session, framework_ref, dirs)
            version = await session.get(FrameworkVersion, published.version_id)
        same_year = (
            await session.execute(
                select(Period.id)
                .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
                .where(Period.year == year, FrameworkVersion.framework_id == version.framework_id)
                .order_by(Period.id)
                .limit(1)
            )
        ).scalar_one_or_none()
        if same_year is not None and again_reason is None:
            raise ServiceError("period_exists", period=same_year, framework=version.framework_id, year=year)
        previous = (
            await session.execute(
                select(Period.id)
                .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
                .where(Period.year < year, FrameworkVersion.framework_id == version.framework_id)
                .order_by(Period.year.desc(), Period.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        period = Period(
            framework_version_id=version.id,
            year=year,
            title=title or f"{version.title} — {year}",
            deadline=deadline,
            state=state,
            previous_period_id=previous,
        )
        session.add(period)
        await session.flush()
        if same_year is not None:
            session.add(_change(period, "open_again", "", state, _checked_reason(again_reason)))
        return _info(period, version)


async def get_period(db: Database, period_id: int) -> PeriodInfo:
    """The operator sees one period: its framework, year, title, state and deadline."""
    async with db.read_session() as session:
        period = await session.get(Period, period_id)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        return _info(period, await session.get(FrameworkVersion, period.framework_version_id))


async def change_state(
    db: Database, actor: Actor, period_id: int, action: str, reason: str | None = None, *, now: datetime
) -> PeriodInfo:
    """One step of the cycle by the command line's older names (lock, unlock, publish, unpublish):
    each is a phase move (`move_phase`), audited; going back needs a reason."""
    actor.require(Action.MANAGE_PERIODS)
    moved = await _move(db, actor, period_id, action, reason or "", None, None, "cli", now, None)
    return moved.period


@dataclass(frozen=True)
class UnitStanding:
    """One unit's points and rank, told to its people when results are published."""

    unit_id: int
    unit_name: str
    points: Decimal
    max_points: Decimal
    rank: int | None
    ranked: int  # units ranked in its cohort
    cohort: str


@dataclass(frozen=True)
class ResultsNotice:
    """What one person is told when provisional or final results are published: every unit of theirs."""

    period_id: int
    title: str
    final: bool
    feedback_deadline: date | None
    units: tuple[UnitStanding, ...]


@dataclass(frozen=True)
class PhaseMove:
    period: PeriodInfo
    move: str
    from_state: str
    to_state: str
    until: date | None  # the date the move set: supplement or feedback deadline
    notified: int = 0  # people told of the results


async def move_phase(
    db: Database,
    actor: Actor,
    period_id: int,
    move: str,
    *,
    reason: str = "",
    until: date | None = None,
    to: str | None = None,
    via: str = "chat",
    now: datetime,
    render: Callable[[ResultsNotice], dict] | None = None,
) -> PhaseMove:
    """Move a period to its next phase (start, appraisal, provisional, final) or back ("reopen",
    one phase back unless `to` says where, with a reason). Entering the appraisal sets the
    supplement deadline, entering the provisional results the feedback deadline (`until`, or a
    default number of working days). Publishing results queues one message per person of every
    unit (`render` turns a ResultsNotice into the message). Audited with who, when, via and why."""
    actor.require(Action.MOVE_PHASE)
    return await _move(db, actor, period_id, move, reason, until, to, via, now, render)


async def _move(
    db: Database,
    actor: Actor,
    period_id: int,
    move: str,
    reason: str,
    until: date | None,
    to: str | None,
    via: str,
    now: datetime,
    render: Callable[[ResultsNotice], dict] | None,
) -> PhaseMove:
    if move != "reopen" and move not in TRANSITIONS:
        raise ServiceError("unknown_move", move=move)
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id, with_for_update=True)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        source = period.state
        if move == "reopen":
            target = to or REOPEN_TO.get(source)
            if target is None or target not in PHASES[1:] or PHASES.index(target) >= PHASES.index(source):
                raise ServiceError("bad_transition", period=period_id, state=source, action=move)
        else:
            allowed, target = TRANSITIONS[move]
            if source not in allowed:
                raise ServiceError("bad_transition", period=period_id, state=source, action=move)
        backwards = PHASES.index(target) < PHASES.index(source)
        text = _checked_reason(reason) if backwards else (reason or "").strip()[:REASON_MAX]
        today = local_date(now)
        set_day = None
        if target == PeriodState.LOCKED and not backwards:
            set_day = period.supplement_deadline = _window(
                until, period.supplement_deadline, max(today, period.deadline), SUPPLEMENT_WORKING_DAYS, today
            )
            if set_day < period.deadline:
                raise ServiceError("supplement_before_deadline", date=set_day, deadline=period.deadline)
        elif target == PeriodState.PROVISIONAL and not backwards:
            set_day = period.feedback_deadline = _feedback_window(until, period.feedback_deadline, today)
        elif until is not None:
            raise ServiceError("no_date_for_move", action=move)
        change = _change(period, move, source, target, text, actor, via, now)
        change.new_deadline = set_day
        session.add(change)
        period.state = target
        await session.flush()
        notified = 0
        if render is not None and not backwards and target in (PeriodState.PROVISIONAL, PeriodState.PUBLISHED):
            notified = await _tell_results(session, period, change.id, render, now)
        version = await session.get(FrameworkVersion, period.framework_version_id)
        return PhaseMove(_info(period, version), move, source, target, set_day, notified)


def default_until(period: PeriodInfo | Period, move: str, now: datetime) -> date | None:
    """The date a move would set without one given (shown before the move is confirmed)."""
    today = local_date(now)
    target = TRANSITIONS.get(move, (set(), ""))[1]
    if target == PeriodState.LOCKED:
        return _window(None, period.supplement_deadline, max(today, period.deadline), SUPPLEMENT_WORKING_DAYS, today)
    if target == PeriodState.PROVISIONAL:
        return _feedback_window(None, period.feedback_deadline, today)
    return None


def full_feedback_window(day: date) -> date:
    """The default last day for objections when the results become provisional on `day`:
    FEEDBACK_WORKING_DAYS working days counted from that day."""
    return working_days_after(day, FEEDBACK_WORKING_DAYS)


def _feedback_window(given: date | None, known: date | None, today: date) -> date:
    """The date given (not in the past); else never less than the full window counted from the
    day the results become provisional — a date kept from an earlier provisional phase (reopened
    since) is kept only when it gives more time."""
    if given is not None:
        if given < today:
            raise ServiceError("date_in_past", date=given, today=today)
        return given
    full = full_feedback_window(today)
    return known if known is not None and known > full else full


def _window(given: date | None, known: date | None, start: date, working_days: int, today: date) -> date:
    """The date given (not in the past), else the one already set if still ahead, else the default."""
    if given is not None:
        if given < today:
            raise ServiceError("date_in_past", date=given, today=today)
        return given
    if known is not None and known >= start:
        return known
    return working_days_after(start, working_days)


async def _tell_results(
    session: AsyncSession, period: Period, change_id: int, render: Callable[[ResultsNotice], dict], now: datetime
) -> int:
    """Every unit's focal points and leaders: its points and rank, one message per person."""
    from bot.services.campaign.outbox import NewMessage, enqueue_in
    from bot.services.results.scores import load_period_scores

    scores = await load_period_scores(session, period.id)
    standings: dict[str, tuple[str, Decimal, Decimal, int | None, int, str]] = {}
    for cohort in scores.cohorts.values():
        ranked = len(cohort.ranked)
        for entry in cohort.entries:
            result = entry.result
            standings[entry.code] = (entry.name, result.points, result.max_points, entry.rank, ranked, cohort.name)
    rows = (
        await session.execute(
            select(Person.id, Person.telegram_id, Unit.id, Unit.code)
            .join(Membership, Membership.person_id == Person.id)
            .join(Unit, Unit.id == Membership.unit_id)
            .where(
                Membership.active.is_(True),
                Membership.role.in_(("focal_point", "leader")),
                Person.telegram_id.is_not(None),
                Person.reachable.is_(True),
            )
            .order_by(Person.id, Unit.name)
        )
    ).all()
    people: dict[int, tuple[int, list[UnitStanding]]] = {}
    for person_id, chat_id, unit_id, code in rows:
        if code not in standings:  # a unit the period does not cover
            continue
        mine = people.setdefault(person_id, (chat_id, []))[1]
        if all(s.unit_id != unit_id for s in mine):  # a focal point who also leads the unit: once
            mine.append(UnitStanding(unit_id, *standings[code]))
    final = period.state == PeriodState.PUBLISHED
    kind = "results_final" if final else "results_provisional"
    messages = [
        NewMessage(
            f"{kind}:{period.id}:{change_id}:{person_id}",
            chat_id,
            render(ResultsNotice(period.id, period.title, final, period.feedback_deadline, tuple(units))),
            person_id,
            kind,
            f"{kind}:{period.id}:{change_id}",
        )
        for person_id, (chat_id, units) in people.items()
    ]
    return await enqueue_in(session, messages, now)


# The moves whose confirmation says what is not finished yet, by the phase they reach.
CHECKED_TARGETS = (PeriodState.LOCKED, PeriodState.PROVISIONAL, PeriodState.PUBLISHED)


@dataclass(frozen=True)
class MoveCheck:
    """What is not finished yet when a forward move is asked: its confirmation says so (the move
    stays allowed — the coordinator decides). Each field is 0/None when there is nothing to say.

    Into appraisal: the self-assessment deadline not passed yet, units that have not submitted
    (or wait for their leader's approval). Into provisional results: the supplement window still
    open, items waiting for an appraiser or for the unit's supplement. Into final results: the
    objection window still open, objections not answered."""

    target: str  # the phase the move reaches
    deadline: date | None = None  # the self-assessment deadline, when it has not passed
    days_left: int = 0  # days from today to that deadline (0: today is the last day)
    not_submitted: int = 0  # units of the period that have not submitted their self-assessment
    not_approved: int = 0  # units whose submitted self-assessment waits for their leader
    supplement_until: date | None = None  # the supplement window, still open
    waiting: int = 0  # items waiting for an appraiser
    sent_back: int = 0  # items sent back, waiting for the unit's supplement
    feedback_until: date | None = None  # the objection window, still open
    open_objections: int = 0  # objections the council has not answered

    @property
    def warns(self) -> bool:
        return bool(
            self.deadline
            or self.not_submitted
            or self.not_approved
            or self.supplement_until
            or self.waiting
            or self.sent_back
            or self.feedback_until
            or self.open_objections
        )


async def check_move_in(session: AsyncSession, period: Period, move: str, today: date) -> MoveCheck | None:
    """What is unfinished for `move` (None: a move nothing is checked for — start, going back)."""
    target = TRANSITIONS.get(move, (set(), ""))[1]
    if target not in CHECKED_TARGETS or period.state not in TRANSITIONS[move][0]:
        return None
    if target == PeriodState.PUBLISHED and period.state != PeriodState.PROVISIONAL:
        return None  # the older `publish` from an earlier phase asks its own question
    if target == PeriodState.LOCKED:
        not_submitted, not_approved = await _unsubmitted_units(session, period)
        early = today <= period.deadline
        return MoveCheck(
            target,
            deadline=period.deadline if early else None,
            days_left=(period.deadline - today).days if early else 0,
            not_submitted=not_submitted,
            not_approved=not_approved,
        )
    if target == PeriodState.PROVISIONAL:
        from bot.services.appraisal.domain import Domain, period_framework
        from bot.services.appraisal.review import queue_in

        everything = Domain(period.id, await period_framework(session, period), True, ())
        sent_back = (
            await session.execute(
                select(func.count())
                .select_from(Answer)
                .where(Answer.period_id == period.id, Answer.status == AnswerStatus.NEEDS_SUPPLEMENT.value)
            )
        ).scalar_one()
        supplement = period.supplement_deadline
        return MoveCheck(
            target,
            supplement_until=supplement if supplement is not None and today <= supplement else None,
            waiting=len(await queue_in(session, period, everything)),
            sent_back=sent_back,
        )
    feedback = period.feedback_deadline
    open_objections = (
        await session.execute(
            select(func.count())
            .select_from(Objection)
            .where(Objection.period_id == period.id, Objection.state == ObjectionState.OPEN.value)
        )
    ).scalar_one()
    return MoveCheck(
        target,
        feedback_until=feedback if feedback is not None and today <= feedback else None,
        open_objections=open_objections,
    )


async def _unsubmitted_units(session: AsyncSession, period: Period) -> tuple[int, int]:
    """Units of the period that have not submitted, and units waiting for their leader's approval.
    With approval on, a unit is through once its leader approved (the newest approval row); without,
    once every item it answers is answered and submitted (the coordinators' progress screen's rule)."""
    from bot.services.campaign.progress import period_progress

    _framework, units = await period_progress(session, period)
    if not period.unit_approval:
        return sum(1 for u in units if u.stage != "submitted"), 0
    from bot.services.assessment.approval import newest_actions

    newest = await newest_actions(session, period.id)
    waiting = sum(1 for u in units if newest.get(u.unit_id) == ApprovalAction.SUBMIT)
    approved = sum(1 for u in units if newest.get(u.unit_id) == ApprovalAction.APPROVE)
    return len(units) - waiting - approved, waiting


async def move_check(db: Database, actor: Actor, period_id: int, move: str, *, now: datetime) -> MoveCheck | None:
    """What is unfinished before `move` (asked by the command line before it confirms)."""
    actor.require(Action.MOVE_PHASE)
    async with db.read_session() as session:
        period = await session.get(Period, period_id)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        return await check_move_in(session, period, move, local_date(now))


@dataclass(frozen=True)
class PhaseView:
    """A coordinator's view of a period's phase: where it is, its dates, what comes next."""

    period: PeriodInfo
    next_move: str | None
    next_until: date | None  # the date the next move would set by default
    back_to: str | None  # the phase a reopening would return to
    approvals: dict[str, int] = field(default_factory=dict)  # units by approval state (waiting, approved, …)
    others: tuple[tuple[int, str, str], ...] = ()  # other periods: id, title, state
    check: MoveCheck | None = None  # what is unfinished for the next move
    window_days: int | None = None  # next_until is this many working days from today (the full default window)


async def phase_view(db: Database, actor: Actor, period_id: int | None = None, *, now: datetime) -> PhaseView:
    """The coordinator sees the period's phase and the move it can make next (the newest period not
    yet final, unless one is chosen)."""
    actor.require(Action.MOVE_PHASE)
    from bot.services.assessment.approval import approval_counts

    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(Period, FrameworkVersion)
                .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
                .order_by(Period.id.desc())
            )
        ).all()
        if not rows:
            raise ServiceError("no_periods")
        if period_id is None:
            chosen = next(((p, v) for p, v in rows if p.state != PeriodState.PUBLISHED), rows[0])
        else:
            chosen = next(((p, v) for p, v in rows if p.id == period_id), None)
            if chosen is None:
                raise ServiceError("unknown_period", period=period_id)
        period, version = chosen
        move = NEXT_MOVE.get(period.state)
        counts = await approval_counts(session, period) if period.unit_approval else {}
        others = tuple((p.id, p.title, p.state) for p, _v in rows if p.id != period.id)[:5]
        until = default_until(period, move, now) if move else None
        today = local_date(now)
        full = move == "provisional" and until == full_feedback_window(today)
        return PhaseView(
            _info(period, version),
            move,
            until,
            REOPEN_TO.get(period.state),
            counts,
            others,
            await check_move_in(session, period, move, today) if move else None,
            FEEDBACK_WORKING_DAYS if full else None,
        )


async def start_reopen(db: Database, actor: Actor, period_id: int, *, now: datetime) -> PhaseView:
    """Reopening is asked in the chat: remember it, the coordinator's next text is the reason."""
    actor.require(Action.MOVE_PHASE)
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        if REOPEN_TO.get(period.state) is None:
            raise ServiceError("bad_transition", period=period_id, state=period.state, action="reopen")
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            conversation = Conversation(person_id=actor.person_id, cursor={})
            session.add(conversation)
        conversation.cursor = {"flow": "phase", "period": period_id, "step": "reason", "from": period.state}
        conversation.updated_at = now
    return await phase_view(db, actor, period_id, now=now)


async def phase_cursor(db: Database, actor: Actor) -> dict | None:
    """Where a coordinator stands in a reopening (their typed text is its reason), or None."""
    if not actor.may(Action.MOVE_PHASE):
        return None
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor or {}) if conversation else {}
        return cursor if cursor.get("flow") == "phase" else None


async def reopen_with_reason(
    db: Database, actor: Actor, text: str, *, now: datetime, render: Callable[[ResultsNotice], dict] | None = None
) -> PhaseMove:
    """The typed reason of a reopening asked in the chat: the period goes one phase back (only from
    the phase it was in when asked), the cursor is cleared."""
    actor.require(Action.MOVE_PHASE)
    cursor = await phase_cursor(db, actor)
    if cursor is None:
        raise ServiceError("nothing_open")
    shown = visible(text)
    if not shown:
        raise ServiceError("invisible_text")
    if len(shown) < 3:
        raise ServiceError("reason_required_chat")
    async with db.read_session() as session:
        period = await session.get(Period, cursor["period"])
        if period is None or period.state != cursor.get("from"):
            await cancel_phase_input(db, actor)
            raise ServiceError("phase_moved_meanwhile")
    moved = await _move(db, actor, cursor["period"], "reopen", text, None, None, "chat", now, render)
    await cancel_phase_input(db, actor)
    return moved


async def cancel_phase_input(db: Database, actor: Actor) -> None:
    """The coordinator gives up typing a reopening's reason: the period stays where it is."""
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is not None and (conversation.cursor or {}).get("flow") == "phase":
            conversation.cursor = {}


async def set_deadline(
    db: Database, actor: Actor, period_id: int, deadline: date, reason: str = ""
) -> tuple[date, PeriodInfo]:
    """Move the deadline of a period not yet published; returns the old deadline and the period.
    Reminders follow at once (they are planned from the deadline each time)."""
    actor.require(Action.MANAGE_PERIODS)
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id, with_for_update=True)
        if period is None:
            raise ServiceError("unknown_period", period=period_id)
        if period.state not in ("draft", "open", "locked"):
            raise ServiceError("bad_transition", period=period_id, state=period.state, action="deadline")
        if deadline < local_date(period.opens_at):
            raise ServiceError("deadline_before_opening", deadline=deadline, opened=local_date(period.opens_at))
        old = period.deadline
        change = _change(period, "deadline", period.state, period.state, reason.strip()[:REASON_MAX])
        change.old_deadline, change.new_deadline = old, deadline
        session.add(change)
        period.deadline = deadline
        version = await session.get(FrameworkVersion, period.framework_version_id)
        return old, _info(period, version)


def _checked_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < 3:
        raise ServiceError("reason_required")
    return text[:REASON_MAX]


def _change(
    period: Period,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
    actor: Actor | None = None,
    via: str = "cli",
    now: datetime | None = None,
) -> PeriodChange:
    assert period.id is not None
    change = PeriodChange(
        period_id=period.id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changed_by=actor.audit_id if actor is not None else None,
        via="cli" if actor is None or actor.system else via,
    )
    if now is not None:  # else the row's default: the moment it is written
        change.changed_at = now
    return change


async def list_periods(db: Database) -> list[PeriodInfo]:
    """The operator sees every period, oldest first."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(Period, FrameworkVersion)
            .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
            .order_by(Period.id)
        )
        return [_info(p, v) for p, v in rows]


def deadline_passed(deadline: date, now: datetime) -> bool:
    """The deadline is the whole day in the province's time zone."""
    return local_date(now) > deadline


class _Stated(Protocol):
    state: str


P = TypeVar("P", bound=_Stated)


def pick_period(candidates: Sequence[tuple[P, Framework]], cohort: str) -> tuple[P, Framework] | None:
    """The period a unit works in: the newest open one that covers its cohort, else the newest
    visible one (candidates come newest first)."""
    covering = [c for c in candidates if not c[1].ranking.cohorts or cohort in {k.code for k in c[1].ranking.cohorts}]
    open_ones = [c for c in covering if c[0].state == PeriodState.OPEN]
    return (open_ones or covering or [None])[0]


async def current_period(session: AsyncSession, unit: Unit) -> tuple[Period, Framework] | None:
    """`pick_period` for the ORM's readers (progress, results)."""
    rows = (
        await session.execute(
            select(Period, FrameworkVersion.content_hash)
            .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
            .where(Period.state.in_(VISIBLE_PERIOD_STATES))
            .order_by(Period.id.desc())
        )
    ).all()
    candidates = [(p, await framework_by_hash(session, p.framework_version_id, h)) for p, h in rows]
    return pick_period(candidates, unit.cohort)


async def open_periods(session: AsyncSession) -> list[Period]:
    """The periods focal points answer in now, oldest first."""
    return list(
        (await session.execute(select(Period).where(Period.state == PeriodState.OPEN).order_by(Period.id))).scalars()
    )
