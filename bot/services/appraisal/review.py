"""Appraisal ("thẩm định") by domain: each appraiser's queue holds the submitted items of their
domain (bot.services.appraisal.domain) in the units whose self-assessment reached appraisal; it can
be worked unit by unit (one screen with the unit's items, a batch accept of those with complete
evidence) or item by item, and "⏭" really moves on (skipped items are kept in the conversation).

Decisions — accept, correct the points with a reason, send back with a comment ("đề nghị bổ sung")
— are audited, refused once the period's results are provisional or final, and reach the unit
grouped (bot.services.appraisal.notices): each records `Review.notified_at = NULL`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor
from bot.services.appraisal.domain import (
    Domain,
    Scope,
    appraisal_periods,
    check_decidable,
    domain_in,
    period_framework,
    reaching_appraisal,
)
from bot.services.assessment.answers import record_history, snapshot
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import visible
from scoring import InvalidAnswer, SubIndex, parse_answer, parse_decimal
from scoring.evidence import evidence_missing
from scoring.states import AnswerStatus, ReviewDecision
from storage.db import Database
from storage.lean import lean_in
from storage.models import Answer, Conversation, Evidence, Period, Review, Unit

logger = logging.getLogger(__name__)

SKIP_LIMIT = 500  # skipped items remembered per person (older ones come back first)


@dataclass(frozen=True)
class Entry:
    """One waiting item of a queue (no answer loaded yet)."""

    answer_id: int
    period_id: int
    unit_id: int
    unit_name: str
    code: str


@dataclass(frozen=True)
class ReviewItem:
    answer_id: int
    unit_id: int
    unit_name: str
    period_id: int
    sub: SubIndex
    raw: dict[str, Any] | None
    self_points: Decimal | None
    status: str
    evidence: tuple[Evidence, ...]
    waiting: int  # items waiting in this queue (the unit's, when working on one unit), this one included
    unreadable: bool = False  # the stored answer no longer fits its item (shown as such, not as a value)
    explanation: str = ""  # the unit's "giải trình"
    complete: bool = False  # the evidence its answer needs is there
    unit_filter: int = 0  # the unit the appraiser is working on (0: the whole queue)
    skipped: int = 0  # items skipped and not shown again until the queue is restarted


@dataclass(frozen=True)
class UnitRow:
    answer_id: int
    sub: SubIndex
    raw: dict[str, Any] | None
    self_points: Decimal | None
    evidence: int
    explanation: str
    complete: bool
    unreadable: bool


@dataclass(frozen=True)
class UnitReview:
    """One unit's waiting items of the appraiser's domain, on one screen."""

    unit_id: int
    unit_name: str
    period_id: int
    period_title: str
    rows: tuple[UnitRow, ...]
    unsent: int  # decisions on this unit not yet sent to it

    @property
    def complete(self) -> tuple[UnitRow, ...]:
        return tuple(r for r in self.rows if r.complete)


@dataclass(frozen=True)
class UnitWaiting:
    unit_id: int
    unit_name: str
    waiting: int
    complete: int


@dataclass(frozen=True)
class QueueOverview:
    everything: bool  # the council chair: every item
    scopes: tuple[tuple[str, tuple[Scope, ...]], ...]  # (period title, the appraiser's scopes)
    units: tuple[UnitWaiting, ...]  # units with waiting items, most waiting first
    waiting: int

    @property
    def assigned(self) -> bool:
        return self.everything or any(scopes for _title, scopes in self.scopes)


# the queue


async def _domains(session: AsyncSession, actor: Actor) -> list[tuple[Period, Domain]]:
    return [(p, await domain_in(session, actor, p)) for p in await appraisal_periods(session)]


async def queue_in(session: AsyncSession, period: Period, domain: Domain, unit_id: int | None = None) -> list[Entry]:
    """The submitted items of the domain in units whose self-assessment reached appraisal: the
    unit that has waited longest first, and within a unit the framework's order (1.2, 1.3, … 3.2),
    so that after a decision the next item is the unit's next one."""
    if domain.empty:
        return []
    allowed = await reaching_appraisal(session, period)
    query = (
        select(Answer.id, Answer.unit_id, Unit.name, Unit.cohort, Answer.sub_index_code)
        .join(Unit, Unit.id == Answer.unit_id)
        .where(Answer.period_id == period.id, Answer.status == AnswerStatus.SUBMITTED.value)
        .order_by(Answer.submitted_at, Answer.id)
    )
    if unit_id is not None:
        query = query.where(Answer.unit_id == unit_id)
    framework = domain.framework
    entries = [
        Entry(answer_id, period.id, unit, name, code)
        for answer_id, unit, name, cohort, code in (await session.execute(query)).all()
        if (allowed is None or unit in allowed) and framework.has_sub_index(code) and domain.covers(code, cohort)
    ]
    first_seen: dict[int, int] = {}
    for n, entry in enumerate(entries):  # oldest first: a unit's place is its oldest waiting item
        first_seen.setdefault(entry.unit_id, n)
    return sorted(entries, key=lambda e: (first_seen[e.unit_id], framework.sub_index(e.code).position))


async def _queue(session: AsyncSession, actor: Actor, unit_id: int | None = None) -> list[Entry]:
    entries: list[Entry] = []
    for period, domain in await _domains(session, actor):
        entries += await queue_in(session, period, domain, unit_id)
    return entries


async def _cursor(session: AsyncSession, actor: Actor, lock: bool = False) -> tuple[Conversation | None, dict]:
    conversation = await session.get(Conversation, actor.person_id, with_for_update=lock)
    cursor = (conversation.cursor or {}) if conversation else {}
    return conversation, (cursor if cursor.get("flow") == "review" else {"flow": "review"})


async def _save_cursor(session: AsyncSession, actor: Actor, cursor: dict) -> None:
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    if conversation is None:
        session.add(Conversation(person_id=actor.person_id, cursor=cursor))
    else:
        conversation.cursor = cursor


def _browsing(cursor: dict, **changes: Any) -> dict:
    """The cursor without a typed-input step (the skip list stays)."""
    kept = {"flow": "review", "skip": cursor.get("skip", [])}
    return {**kept, **changes}


def _fits(sub: SubIndex, raw: Any) -> bool:
    if raw is None:
        return True
    try:
        if not isinstance(raw, dict):
            raise InvalidAnswer("not_a_mapping")
        parse_answer(sub, raw)
    except (InvalidAnswer, ArithmeticError, TypeError, ValueError, AttributeError):
        logger.warning("unreadable stored answer in the review queue: item=%s", sub.code)
        return False
    return True


def _complete(sub: SubIndex, answer: Answer, pieces: int, readable: bool) -> bool:
    return readable and not evidence_missing(sub, answer.raw, answer.self_points, pieces, answer.explanation or "")


async def _evidence(session: AsyncSession, answer_id: int) -> tuple[Evidence, ...]:
    return tuple(
        (await session.execute(select(Evidence).where(Evidence.answer_id == answer_id).order_by(Evidence.id))).scalars()
    )


async def _item(
    session: AsyncSession, answer: Answer, waiting: int, unit_filter: int = 0, skipped: int = 0
) -> ReviewItem:
    period = await session.get(Period, answer.period_id)
    framework = await period_framework(session, period)
    unit = await session.get(Unit, answer.unit_id)
    evidence = await _evidence(session, answer.id)
    sub = framework.sub_index(answer.sub_index_code)
    readable = _fits(sub, answer.raw)
    return ReviewItem(
        answer.id,
        unit.id,
        unit.name,
        period.id,
        sub,
        answer.raw,
        answer.self_points,
        answer.status,
        evidence,
        waiting,
        unreadable=not readable,
        explanation=answer.explanation or "",
        complete=_complete(sub, answer, len(evidence), readable),
        unit_filter=unit_filter,
        skipped=skipped,
    )


@dataclass(frozen=True)
class QueueEnd:
    """Nothing left to show: `skipped` items were skipped; `unit` is the unit's screen when the
    appraiser was working on one unit (its results can now be sent)."""

    skipped: int
    unit: UnitReview | None = None


Next = ReviewItem | QueueEnd


async def _next(
    session: AsyncSession, actor: Actor, cursor: dict, unit_id: int | None, after: Answer | None = None
) -> Next:
    """The item to show: after a decision or a skip (`after`), the same unit's next item in the
    framework's order (1.2 → 1.3), else the first one waiting."""
    entries = await _queue(session, actor, unit_id)
    skipped = set(cursor.get("skip", []))
    remaining = [e for e in entries if e.answer_id not in skipped]
    if not remaining:
        unit = await _unit_review(session, actor, unit_id) if unit_id else None
        return QueueEnd(len(entries), unit)
    chosen = remaining[0]
    if after is not None:
        framework = await period_framework(session, await session.get(Period, after.period_id))
        if framework.has_sub_index(after.sub_index_code):
            position = framework.sub_index(after.sub_index_code).position
            chosen = next(
                (
                    e
                    for e in remaining
                    if e.unit_id == after.unit_id
                    and e.period_id == after.period_id
                    and framework.sub_index(e.code).position > position
                ),
                chosen,
            )
    answer = await session.get(Answer, chosen.answer_id)
    return await _item(session, answer, len(entries), unit_id or 0, len(entries) - len(remaining))


async def queue_overview(db: Database, actor: Actor) -> QueueOverview:
    """The start of the queue: the appraiser's domain and the units with items waiting in it. Items
    skipped before come back."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        _conversation, cursor = await _cursor(session, actor, lock=True)
        if cursor.get("skip") or cursor.get("step"):
            await _save_cursor(session, actor, {"flow": "review"})
        domains = await _domains(session, actor)
        entries: list[Entry] = []
        for period, domain in domains:
            entries += await queue_in(session, period, domain)
        units: dict[int, list[Entry]] = {}
        for entry in entries:
            units.setdefault(entry.unit_id, []).append(entry)
        complete = await _complete_counts(session, [e.answer_id for e in entries])
        waiting = tuple(
            sorted(
                (
                    UnitWaiting(uid, rows[0].unit_name, len(rows), sum(1 for r in rows if r.answer_id in complete))
                    for uid, rows in units.items()
                ),
                key=lambda u: (-u.waiting, u.unit_name),
            )
        )
        return QueueOverview(
            any(d.everything for _p, d in domains),
            tuple((p.title, d.scopes) for p, d in domains),
            waiting,
            len(entries),
        )


async def _complete_counts(session: AsyncSession, answer_ids: list[int]) -> set[int]:
    """Which of these answers have the evidence they need."""
    if not answer_ids:
        return set()
    complete: set[int] = set()
    for start in range(0, len(answer_ids), 500):
        chunk = answer_ids[start : start + 500]
        pieces = dict(
            (
                await session.execute(
                    select(Evidence.answer_id, func.count())
                    .where(Evidence.answer_id.in_(chunk))
                    .group_by(Evidence.answer_id)
                )
            ).all()
        )
        for answer in (await session.execute(select(Answer).where(Answer.id.in_(chunk)))).scalars():
            period = await session.get(Period, answer.period_id)
            framework = await period_framework(session, period)
            sub = framework.sub_index(answer.sub_index_code)
            if _complete(sub, answer, pieces.get(answer.id, 0), _fits(sub, answer.raw)):
                complete.add(answer.id)
    return complete


async def next_in_queue(db: Database, actor: Actor, unit_id: int | None = None) -> Next:
    """The oldest waiting item of the appraiser's domain (of one unit, when given) not skipped, or None."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        _conversation, cursor = await _cursor(session, actor, lock=True)
        if cursor.get("step"):
            cursor = _browsing(cursor)
            await _save_cursor(session, actor, cursor)
        return await _next(session, actor, cursor, unit_id)


async def skip(db: Database, actor: Actor, answer_id: int, unit_id: int | None = None) -> Next:
    """ "⏭ Bỏ qua": the item goes out of the way until the queue is started again; the next one shows."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        _conversation, cursor = await _cursor(session, actor, lock=True)
        earlier = [a for a in cursor.get("skip", []) if a != answer_id][-(SKIP_LIMIT - 1) :]
        skipped = [*earlier, answer_id]
        cursor = _browsing(cursor, skip=skipped)
        await _save_cursor(session, actor, cursor)
        return await _next(session, actor, cursor, unit_id, await session.get(Answer, answer_id))


async def review_again(db: Database, actor: Actor, unit_id: int | None = None) -> Next:
    """The skipped items come back."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        cursor = {"flow": "review"}
        await _save_cursor(session, actor, cursor)
        return await _next(session, actor, cursor, unit_id)


async def _decidable(session: AsyncSession, actor: Actor, answer: Answer) -> Period:
    """The item is in the appraiser's domain, its unit's self-assessment reached appraisal and the
    period is being appraised; refused otherwise, each with its own sentence."""
    period = await session.get(Period, answer.period_id)
    check_decidable(period)
    unit = await session.get(Unit, answer.unit_id)
    domain = await domain_in(session, actor, period)
    if not domain.framework.has_sub_index(answer.sub_index_code):
        raise ServiceError("unknown_item")
    if not domain.covers(answer.sub_index_code, unit.cohort):
        raise ServiceError("not_your_domain", code=answer.sub_index_code)
    allowed = await reaching_appraisal(session, period)
    if allowed is not None and unit.id not in allowed:
        raise ServiceError("not_approved_yet", unit=unit.name)
    return period


async def _open(session: AsyncSession, actor: Actor, answer_id: int, unit_id: int | None) -> ReviewItem:
    answer = await session.get(Answer, answer_id)
    if answer is None:
        raise ServiceError("unknown_item")
    period = await session.get(Period, answer.period_id)
    unit = await session.get(Unit, answer.unit_id)
    domain = await domain_in(session, actor, period)
    if not domain.framework.has_sub_index(answer.sub_index_code):
        raise ServiceError("unknown_item")
    if not domain.covers(answer.sub_index_code, unit.cohort):
        raise ServiceError("not_your_domain", code=answer.sub_index_code)
    # A forged answer id must not show (nor send the files of) what never reached appraisal: a draft,
    # or a self-assessment its leader has not approved.
    if answer.status == AnswerStatus.DRAFT:
        raise ServiceError("not_submitted", code=answer.sub_index_code)
    allowed = await reaching_appraisal(session, period)
    if allowed is not None and unit.id not in allowed:
        raise ServiceError("not_approved_yet", unit=unit.name)
    waiting = len(await queue_in(session, period, domain, unit_id))
    return await _item(session, answer, waiting, unit_id or 0)


async def open_review(db: Database, actor: Actor, answer_id: int, unit_id: int | None = None) -> ReviewItem:
    """One item of the appraiser's domain with its evidence, ready to decide (a correction or a
    send-back being typed is dropped: "✖️ Hủy" comes back here)."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        _conversation, cursor = await _cursor(session, actor, lock=True)
        if cursor.get("step"):
            await _save_cursor(session, actor, _browsing(cursor))
        return await _open(session, actor, answer_id, unit_id)


async def start_input(
    db: Database, actor: Actor, answer_id: int, decision: str, unit_id: int | None = None
) -> ReviewItem:
    """Correcting points or sending back needs typed input: remember what the appraiser is doing."""
    actor.require(Action.REVIEW)
    if decision not in (ReviewDecision.CORRECT, ReviewDecision.NEEDS_SUPPLEMENT):
        raise ServiceError("unknown_item")
    async with db.session() as session, session.begin():
        answer = await session.get(Answer, answer_id)
        if answer is None:
            raise ServiceError("unknown_item")
        await _decidable(session, actor, answer)
        if answer.status != AnswerStatus.SUBMITTED:
            raise ServiceError("already_reviewed")
        _conversation, cursor = await _cursor(session, actor, lock=True)
        step = "points" if decision == ReviewDecision.CORRECT else "comment"
        await _save_cursor(
            session,
            actor,
            _browsing(cursor, answer=answer_id, decision=str(decision), step=step, unit=unit_id or 0),
        )
        return await _open(session, actor, answer_id, unit_id)


async def review_cursor(db: Database, actor: Actor) -> dict[str, Any] | None:
    """Where an appraiser stands when their typed text is a decision's input (points, reason,
    comment), or None."""
    if not actor.may(Action.REVIEW):
        return None
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor or {}) if conversation else {}
        return cursor if cursor.get("flow") == "review" and cursor.get("step") else None


async def typed_input(db: Database, actor: Actor, text: str, *, now: datetime) -> tuple[str, Any]:
    """Points (then the reason) for a correction, or the comment for sending back.
    Returns ("ask_reason", item) or ("decided", next item or None)."""
    cursor = await review_cursor(db, actor)
    if cursor is None:
        raise ServiceError("nothing_open")
    unit_id = cursor.get("unit") or None
    if cursor["step"] == "points":
        async with db.read_session() as session:
            item = await _open(session, actor, cursor["answer"], unit_id)
        try:
            points = parse_decimal(text)
        except ValueError as exc:
            raise ServiceError("bad_points", max=item.sub.max_points) from exc
        if not 0 <= points <= item.sub.max_points:
            raise ServiceError("bad_points", max=item.sub.max_points)
        async with db.session() as session, session.begin():
            conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
            conversation.cursor = {**cursor, "step": "reason", "points": format(points, "f")}
        return "ask_reason", item
    comment = _checked_comment(text)
    points = Decimal(cursor["points"]) if cursor.get("points") else None
    return "decided", await decide(
        db, actor, cursor["answer"], cursor["decision"], points, comment, now=now, unit_id=unit_id
    )


def _checked_comment(text: str) -> str:
    comment = text.strip()
    shown = visible(comment)
    if not shown:
        raise ServiceError("invisible_text")
    if len(shown) < 3 or len(comment) > 2000:
        raise ServiceError("bad_comment")
    return comment


async def _record(
    session: AsyncSession,
    actor: Actor,
    answer: Answer,
    decision: str,
    points: Decimal | None,
    comment: str,
    now: datetime,
) -> None:
    old = snapshot(answer)
    if decision == ReviewDecision.ACCEPT:
        answer.status, answer.verified_points = AnswerStatus.ACCEPTED.value, answer.self_points
    elif decision == ReviewDecision.CORRECT:
        if points is None or not visible(comment):
            raise ServiceError("bad_comment")
        sub = (await period_framework(session, await session.get(Period, answer.period_id))).sub_index(
            answer.sub_index_code
        )
        if not 0 <= points <= sub.max_points:
            raise ServiceError("bad_points", max=sub.max_points)
        answer.status, answer.verified_points = AnswerStatus.ACCEPTED.value, points
    elif decision == ReviewDecision.NEEDS_SUPPLEMENT:
        if not visible(comment):
            raise ServiceError("bad_comment")
        answer.status = AnswerStatus.NEEDS_SUPPLEMENT.value
    else:
        raise ServiceError("unknown_item")
    session.add(
        Review(
            answer_id=answer.id,
            reviewer_id=actor.person_id,
            decision=str(decision),
            points=answer.verified_points if decision != ReviewDecision.NEEDS_SUPPLEMENT else None,
            comment=comment,
            created_at=now,
            notified_at=None,  # reaches the unit in the next grouped notice
        )
    )
    answer.revision += 1
    await record_history(
        await lean_in(session), answer, "review", actor.person_id, now, old, snapshot(answer) | {"comment": comment}
    )


async def decide(
    db: Database,
    actor: Actor,
    answer_id: int,
    decision: str,
    points: Decimal | None = None,
    comment: str = "",
    *,
    now: datetime,
    unit_id: int | None = None,
) -> Next:
    """Record the decision (audited; verified points replace self points in every score) and return
    the next item of the queue (of the unit, when working on one)."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        answer = await session.get(Answer, answer_id, with_for_update=True)
        if answer is None:
            raise ServiceError("unknown_item")
        await _decidable(session, actor, answer)
        if answer.status != AnswerStatus.SUBMITTED:
            raise ServiceError("already_reviewed")
        await _record(session, actor, answer, decision, points, comment, now)
        _conversation, cursor = await _cursor(session, actor, lock=True)
        cursor = _browsing(cursor)
        await _save_cursor(session, actor, cursor)
        return await _next(session, actor, cursor, unit_id, answer)


# one unit at a time


async def _unit_review(session: AsyncSession, actor: Actor, unit_id: int) -> UnitReview:
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise ServiceError("unknown_item")
    rows: list[UnitRow] = []
    period_id, title = 0, ""
    for period, domain in await _domains(session, actor):
        entries = await queue_in(session, period, domain, unit_id)
        if entries and not period_id:
            period_id, title = period.id, period.title
        for entry in entries:
            answer = await session.get(Answer, entry.answer_id)
            sub = domain.framework.sub_index(answer.sub_index_code)
            pieces = len(await _evidence(session, answer.id))
            readable = _fits(sub, answer.raw)
            rows.append(
                UnitRow(
                    answer.id,
                    sub,
                    answer.raw if readable else None,
                    answer.self_points,
                    pieces,
                    answer.explanation or "",
                    _complete(sub, answer, pieces, readable),
                    not readable,
                )
            )
    if not period_id:
        periods = await appraisal_periods(session)
        period_id, title = (periods[0].id, periods[0].title) if periods else (0, "")
    rows.sort(key=lambda r: r.sub.position)
    unsent = (
        await session.execute(
            select(func.count())
            .select_from(Review)
            .join(Answer, Answer.id == Review.answer_id)
            .where(Answer.unit_id == unit_id, Review.notified_at.is_(None))
        )
    ).scalar_one()
    return UnitReview(unit.id, unit.name, period_id, title, tuple(rows), unsent)


async def unit_review(db: Database, actor: Actor, unit_id: int) -> UnitReview:
    """The unit's waiting items of the appraiser's domain, together: answer, points, evidence, explanation."""
    actor.require(Action.REVIEW)
    async with db.read_session() as session:
        return await _unit_review(session, actor, unit_id)


async def ask_batch(db: Database, actor: Actor, unit_id: int) -> UnitReview:
    """The confirmation of a batch accept: the items it would accept are remembered, so only those
    are accepted (an item completed after the question is not)."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        view = await _unit_review(session, actor, unit_id)
        if not view.complete:
            raise ServiceError("nothing_complete")
        _conversation, cursor = await _cursor(session, actor, lock=True)
        await _save_cursor(session, actor, _browsing(cursor, unit=unit_id, batch=[r.answer_id for r in view.complete]))
        return view


async def accept_batch(db: Database, actor: Actor, unit_id: int, *, now: datetime) -> tuple[int, UnitReview]:
    """Accept, at their self points, the items the confirmation listed that are still waiting and
    still have complete evidence; each one audited as its own decision."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        _conversation, cursor = await _cursor(session, actor, lock=True)
        if cursor.get("unit") != unit_id or not cursor.get("batch"):
            raise ServiceError("unknown_item")
        view = await _unit_review(session, actor, unit_id)
        still = {r.answer_id for r in view.complete} & set(cursor["batch"])
        accepted = 0
        for answer_id in sorted(still):
            answer = await session.get(Answer, answer_id, with_for_update=True)
            if answer is None or answer.status != AnswerStatus.SUBMITTED:
                continue
            await _decidable(session, actor, answer)
            await _record(session, actor, answer, ReviewDecision.ACCEPT, None, "", now)
            accepted += 1
        await _save_cursor(session, actor, _browsing(cursor))
        await session.flush()
        return accepted, await _unit_review(session, actor, unit_id)
