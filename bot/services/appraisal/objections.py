"""Objections ("kiến nghị") to provisional results, and the council's answers.

While a period's results are provisional (`PeriodState.PROVISIONAL`) and until its feedback deadline,
a unit — its focal point or its leader — may object to an item's points with a reason and evidence
(files, photos or links attached to the item's answer; their ids are kept in `Objection.detail`).
The council (its chair, the coordinator) takes the open objections one by one and answers each:
upheld, with the item's new points (the answer's verified points change, audited in
`answer_history` and in the objection's old and new points; every figure is recomputed from them),
or rejected, with the reason. The unit is told through the outbox either way. Nothing can be
objected to or decided once the results are final.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_calendar import local_date
from bot.services.access import Actor, NotAllowed
from bot.services.admin.frameworks import framework_of
from bot.services.assessment.answers import locked_answer, snapshot
from bot.services.assessment.evidence import IncomingFile, check_content, check_declared, looks_like_link
from bot.services.campaign.outbox import NewMessage, enqueue_in
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.results.scores import load_period_scores
from bot.services.safe_text import visible
from scoring import Framework, SubIndex
from scoring.numbers import NumberField, read_number
from scoring.states import AnswerStatus, ObjectionState, PeriodState
from storage.db import Database
from storage.files import EvidenceStore
from storage.lean import statement
from storage.models import Answer, AnswerHistory, Conversation, Evidence, Membership, Objection, Period, Person, Unit
from storage.queries import period_with_framework

FLOW = "objection"  # a unit composing an objection
COUNCIL_FLOW = "council"  # the council chair typing an answer
PAGE = 10
REASON_MIN, REASON_MAX = 3, 2000
EVIDENCE_LIMIT = 10
KIND = "objection"  # the outbox's kind of the unit's notice of the council's answer
KIND_RAISED = "objection_raised"  # the council chair's notice of a new objection


class ObjectionClosed(ServiceError):
    """No objection can be raised (or answered) now: `why` is not_provisional, final or deadline_passed;
    the reason names it (objections_final, …) so each has its own sentence."""

    def __init__(self, why: str, deadline: date | None = None) -> None:
        super().__init__(f"objections_{why}", why=why, deadline=deadline)
        self.why = why


@dataclass(frozen=True)
class ObjectableItem:
    code: str
    name: str
    points: Decimal
    max_points: Decimal
    objection: str  # "" or the state of the unit's latest objection on the item


@dataclass(frozen=True)
class ObjectionWindow:
    unit_id: int
    unit_name: str
    period_id: int
    period_title: str
    feedback_deadline: date | None
    items: tuple[ObjectableItem, ...]  # this page
    page: int
    pages: int
    raised: int  # the unit's objections in this period


@dataclass(frozen=True)
class EvidenceLine:
    id: int
    kind: str
    label: str
    content_key: str | None = None
    file_name: str = ""


@dataclass(frozen=True)
class Draft:
    """An objection being composed: `step` is "reason" (type it) or "evidence" (attach, then send)."""

    unit_id: int
    period_id: int
    code: str
    name: str
    points: Decimal
    max_points: Decimal
    step: str
    reason: str
    evidence: tuple[EvidenceLine, ...]
    feedback_deadline: date | None


@dataclass(frozen=True)
class Raised:
    objection_id: int
    code: str
    name: str
    evidence: int
    feedback_deadline: date | None


@dataclass(frozen=True)
class CouncilItem:
    objection_id: int
    period_id: int
    period_title: str
    unit_name: str
    code: str
    name: str
    points: Decimal  # the item's points now
    self_points: Decimal | None
    max_points: Decimal
    reason: str
    raised_by: str
    raised_at: datetime
    evidence: tuple[EvidenceLine, ...]
    waiting: int  # open objections, this one included
    step: str = ""  # "points" (upholding: type the new points) or "reason" (rejecting: type the reason)


@dataclass(frozen=True)
class Decided:
    objection_id: int
    period_id: int
    period_title: str
    unit_id: int
    unit_name: str
    code: str
    name: str
    state: str  # upheld or rejected
    old_points: Decimal
    new_points: Decimal
    max_points: Decimal
    response: str


RenderDecided = Callable[[Decided], dict[str, Any]]


@dataclass(frozen=True)
class RaisedNotice:
    """What the council chair is told when a unit raises an objection (with a button to open it)."""

    objection_id: int
    period_title: str
    unit_name: str
    code: str
    name: str
    reason: str
    evidence: int


RenderRaised = Callable[[RaisedNotice], dict[str, Any]]


# -- shared ---------------------------------------------------------------------------------------
def window_open(period: Period, today: date) -> str | None:
    """Why no objection can be raised in the period now (None: it can)."""
    if period.state == PeriodState.PUBLISHED:
        return "final"
    if period.state != PeriodState.PROVISIONAL:
        return "not_provisional"
    if period.feedback_deadline is not None and today > period.feedback_deadline:
        return "deadline_passed"
    return None


def _check_window(period: Period, now: datetime) -> None:
    why = window_open(period, local_date(now))
    if why is not None:
        raise ObjectionClosed(why=why, deadline=period.feedback_deadline)


async def _provisional_period(session: AsyncSession, unit: Unit) -> tuple[Period, Framework]:
    """The unit's newest period whose results are provisional (or final: refused with the reason).
    A newer period still in self-assessment or appraisal comes first: "not yet", not last year's "final"."""
    later = (PeriodState.OPEN.value, PeriodState.LOCKED.value)
    cohort_periods = (
        await session.execute(
            select(Period)
            .where(Period.state.in_((*later, PeriodState.PROVISIONAL.value, PeriodState.PUBLISHED.value)))
            .order_by(Period.id.desc())
        )
    ).scalars()
    for period in cohort_periods:
        found = await period_with_framework(session, period.id)
        assert found is not None
        framework = framework_of(found[1])
        cohorts = {c.code for c in framework.ranking.cohorts}
        if not cohorts or unit.cohort in cohorts:
            if period.state in later:
                break
            return period, framework
    raise ObjectionClosed(why="not_provisional", deadline=None)


async def _unit_of(session: AsyncSession, actor: Actor, unit_id: int | None) -> Unit:
    role = actor.unit if unit_id is None else next((r for r in actor.units() if r.unit_id == unit_id), None)
    actor.require(Action.OBJECT, role.unit_id if role else unit_id)
    if role is None:
        raise NotAllowed(unit=unit_id)
    unit = await session.get(Unit, role.unit_id)
    if unit is None:
        raise NotAllowed(unit=unit_id)
    return unit


async def _item_points(session: AsyncSession, period_id: int, unit: Unit, code: str) -> tuple[Decimal, Decimal | None]:
    """The item's points now (as every screen counts them) and the unit's own points for it."""
    scores = await load_period_scores(session, period_id)
    cohort = scores.cohort_of(unit.code)
    if cohort is None or code not in cohort.entry(unit.code).result.subs:
        return Decimal(0), None
    sub = cohort.entry(unit.code).result.subs[code]
    return sub.points, sub.self_points


async def _evidence_lines(session: AsyncSession, ids: list[int]) -> tuple[EvidenceLine, ...]:
    if not ids:
        return ()
    rows = (await session.execute(select(Evidence).where(Evidence.id.in_(ids)).order_by(Evidence.id))).scalars()
    return tuple(_line(e) for e in rows)


def _line(e: Evidence) -> EvidenceLine:
    label = e.url or e.file_name or e.doc_number or e.kind
    return EvidenceLine(e.id, e.kind, label, e.content_key, e.file_name)


async def _conversation(session: AsyncSession, actor: Actor) -> Conversation:
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    if conversation is None:
        conversation = Conversation(person_id=actor.person_id, cursor={})
        session.add(conversation)
    return conversation


def _without(cursor: dict | None, key: str) -> dict:
    return {k: v for k, v in (cursor or {}).items() if k not in ("flow", key)}


def _sub(framework: Framework, code: str, unit: Unit) -> SubIndex:
    if not framework.has_sub_index(code) or not framework.sub_index(code).applies_to(unit.attributes or {}):
        raise ServiceError("unknown_item", code=code)
    return framework.sub_index(code)


# -- the unit -------------------------------------------------------------------------------------
async def objection_items(
    db: Database, actor: Actor, unit_id: int | None = None, page: int = 0, *, now: datetime
) -> ObjectionWindow:
    """The unit's items with their provisional points, to choose one to object to."""
    async with db.read_session() as session:
        unit = await _unit_of(session, actor, unit_id)
        period, framework = await _provisional_period(session, unit)
        _check_window(period, now)
        scores = await load_period_scores(session, period.id)
        cohort = scores.cohort_of(unit.code)
        if cohort is None:
            raise ObjectionClosed(why="not_provisional", deadline=None)
        result = cohort.entry(unit.code).result
        latest: dict[str, str] = {}
        for code, state in await session.execute(
            select(Objection.sub_index_code, Objection.state)
            .where(Objection.period_id == period.id, Objection.unit_id == unit.id)
            .order_by(Objection.id)
        ):
            latest[code] = state
        items = [
            ObjectableItem(s.code, s.name, result.subs[s.code].points, s.max_points, latest.get(s.code, ""))
            for s in framework.sub_indices
            if s.code in result.subs and result.subs[s.code].status != "not_applicable"
        ]
        pages = max(1, -(-len(items) // PAGE))
        page = min(max(page, 0), pages - 1)
        return ObjectionWindow(
            unit.id,
            unit.name,
            period.id,
            period.title,
            period.feedback_deadline,
            tuple(items[page * PAGE : (page + 1) * PAGE]),
            page,
            pages,
            len(latest),
        )


async def _draft(session: AsyncSession, state: dict) -> Draft:
    unit = await session.get(Unit, state["unit"])
    period, framework = await _period(session, state["period"])
    sub = framework.sub_index(state["code"])
    points, _self = await _item_points(session, period.id, unit, sub.code)
    return Draft(
        unit.id,
        period.id,
        sub.code,
        sub.name,
        points,
        sub.max_points,
        state.get("step", "reason"),
        state.get("reason", ""),
        await _evidence_lines(session, list(state.get("evidence", []))),
        period.feedback_deadline,
    )


async def _period(session: AsyncSession, period_id: int) -> tuple[Period, Framework]:
    found = await period_with_framework(session, period_id)
    if found is None:
        raise ServiceError("unknown_period", period=period_id)
    return found[0], framework_of(found[1])


async def start_objection(
    db: Database, actor: Actor, unit_id: int, period_id: int, code: str, *, now: datetime
) -> Draft:
    """Object to an item: the unit is asked for the reason (an open objection on the item is refused)."""
    async with db.session() as session, session.begin():
        unit = await _unit_of(session, actor, unit_id)
        period, framework = await _period(session, period_id)
        cohorts = {c.code for c in framework.ranking.cohorts}
        if cohorts and unit.cohort not in cohorts:  # a button naming a period that does not assess the unit
            raise ServiceError("unit_not_in_period", unit=unit.name, period=period.title)
        _check_window(period, now)
        _sub(framework, code, unit)
        pending = (
            await session.execute(
                select(func.count()).where(
                    Objection.period_id == period.id,
                    Objection.unit_id == unit.id,
                    Objection.sub_index_code == code,
                    Objection.state == ObjectionState.OPEN.value,
                )
            )
        ).scalar_one()
        if pending:
            raise ServiceError("objection_pending", code=code)
        conversation = await _conversation(session, actor)
        state = {"unit": unit.id, "period": period.id, "code": code, "step": "reason", "reason": "", "evidence": []}
        conversation.cursor = {**_without(conversation.cursor, FLOW), "flow": FLOW, FLOW: state}
        return await _draft(session, state)


_CURSOR = statement("SELECT cursor FROM conversation WHERE person_id = :person_id")


async def objection_cursor(db: Database, actor: Actor) -> dict | None:
    """The objection the person is composing (None: none). Asked of every text a unit's person
    sends, so it is one primary-key read in hand-written SQL."""
    if not any(actor.may(Action.OBJECT, r.unit_id) for r in actor.units()):
        return None
    async with db.lean(write=False) as sql:
        found = await sql.value(_CURSOR, {"person_id": actor.person_id})
    cursor = sql.read_json(found) or {} if found is not None else {}
    return cursor.get(FLOW) if isinstance(cursor, dict) and cursor.get("flow") == FLOW else None


async def _composing(session: AsyncSession, actor: Actor, now: datetime) -> tuple[Conversation, dict, Period]:
    conversation = await _conversation(session, actor)
    cursor = conversation.cursor or {}
    state = cursor.get(FLOW) if cursor.get("flow") == FLOW else None
    if not state:
        raise ServiceError("nothing_open")
    actor.require(Action.OBJECT, state["unit"])
    period, _framework = await _period(session, state["period"])
    _check_window(period, now)
    return conversation, dict(state), period


def _save(conversation: Conversation, state: dict) -> None:
    conversation.cursor = {**_without(conversation.cursor, FLOW), "flow": FLOW, FLOW: state}


async def objection_text(db: Database, actor: Actor, text: str, *, now: datetime) -> Draft:
    """Typed while composing: the reason (first), then links as evidence, or a longer reason."""
    async with db.session() as session, session.begin():
        conversation, state, _period_now = await _composing(session, actor, now)
        text = visible(text)
        if state["step"] == "evidence" and looks_like_link(text):
            if len(state["evidence"]) >= EVIDENCE_LIMIT:
                raise ServiceError("objection_evidence_limit", limit=EVIDENCE_LIMIT)
            answer = await _answer_for(session, state)
            evidence = Evidence(
                answer_id=answer.id, kind="link", url=text[:2048], uploaded_by=actor.audit_id, uploaded_at=now
            )
            session.add(evidence)
            await session.flush()
            state["evidence"] = [*state["evidence"], evidence.id]
        else:
            if not REASON_MIN <= len(text) <= REASON_MAX:
                raise ServiceError("bad_objection_reason", low=REASON_MIN, high=REASON_MAX)
            state["reason"], state["step"] = text, "evidence"
        _save(conversation, state)
        return await _draft(session, state)


async def _answer_for(session: AsyncSession, state: dict) -> Answer:
    """The item's answer (evidence is attached to it); an empty one for an item never answered."""
    answer = (
        await session.execute(
            select(Answer).where(
                Answer.period_id == state["period"],
                Answer.unit_id == state["unit"],
                Answer.sub_index_code == state["code"],
            )
        )
    ).scalar_one_or_none()
    if answer is None:
        answer = Answer(period_id=state["period"], unit_id=state["unit"], sub_index_code=state["code"])
        session.add(answer)
        await session.flush()
    return answer


async def objection_file(
    db: Database, store: EvidenceStore, actor: Actor, incoming: IncomingFile, data: bytes, *, now: datetime
) -> Draft:
    """A photo or a file sent while composing: kept as evidence of the objection (on the item's answer)."""
    check_declared(incoming)
    check_content(incoming, data)
    async with db.session() as session, session.begin():
        conversation, state, _period_now = await _composing(session, actor, now)
        if state["step"] != "evidence":
            raise ServiceError("objection_reason_first")
        if len(state["evidence"]) >= EVIDENCE_LIMIT:
            raise ServiceError("objection_evidence_limit", limit=EVIDENCE_LIMIT)
        stored = await asyncio.to_thread(store.put, data)
        answer = await _answer_for(session, state)
        known = (
            await session.execute(
                select(Evidence.id).where(
                    Evidence.answer_id == answer.id, Evidence.telegram_file_unique_id == incoming.file_unique_id
                )
            )
        ).scalar_one_or_none()
        if known is None:
            evidence = Evidence(
                answer_id=answer.id,
                kind=incoming.kind,
                content_key=stored.key,
                size=len(data),
                media_type=incoming.media_type,
                file_name=incoming.file_name or ("anh.jpg" if incoming.kind == "photo" else "tai-lieu"),
                telegram_file_id=incoming.file_id,
                telegram_file_unique_id=incoming.file_unique_id,
                uploaded_by=actor.audit_id,
                uploaded_at=now,
            )
            session.add(evidence)
            await session.flush()
            known = evidence.id
        if known not in state["evidence"]:
            state["evidence"] = [*state["evidence"], known]
        _save(conversation, state)
        return await _draft(session, state)


async def send_objection(
    db: Database, actor: Actor, *, now: datetime, notify_council: RenderRaised | None = None
) -> Raised:
    """Send the objection composed: recorded (open) for the council. Each council chair (an active
    coordinator) gets one message, `notify_council(notice)`, in the same transaction (one per
    objection and chair: the outbox's dedupe key)."""
    async with db.session() as session, session.begin():
        conversation, state, period = await _composing(session, actor, now)
        if not state.get("reason"):
            raise ServiceError("objection_reason_first")
        answer = await _answer_for(session, state) if state["evidence"] else None
        if answer is None:
            answer = (
                await session.execute(
                    select(Answer).where(
                        Answer.period_id == state["period"],
                        Answer.unit_id == state["unit"],
                        Answer.sub_index_code == state["code"],
                    )
                )
            ).scalar_one_or_none()
        objection = Objection(
            period_id=period.id,
            unit_id=state["unit"],
            sub_index_code=state["code"],
            answer_id=answer.id if answer else None,
            reason=state["reason"],
            raised_by=actor.audit_id,
            raised_at=now,
            detail={"evidence": list(state["evidence"])},
        )
        session.add(objection)
        await session.flush()
        conversation.cursor = _without(conversation.cursor, FLOW)
        _framework = (await _period(session, period.id))[1]
        name = _framework.sub_index(state["code"]).name
        if notify_council is not None:
            unit = await session.get(Unit, state["unit"])
            notice = RaisedNotice(
                objection.id,
                period.title,
                unit.name if unit else "",
                state["code"],
                name,
                state["reason"],
                len(state["evidence"]),
            )
            await _tell_council(session, notice, period.id, notify_council(notice), now)
        return Raised(objection.id, state["code"], name, len(state["evidence"]), period.feedback_deadline)


async def _tell_council(
    session: AsyncSession, notice: RaisedNotice, period_id: int, payload: dict[str, Any], now: datetime
) -> None:
    """One message per council chair (active coordinators with a chat) about a new objection."""
    chairs = (
        await session.execute(
            select(Person.id, Person.telegram_id)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.role == "coordinator",
                Membership.active.is_(True),
                Person.telegram_id.is_not(None),
            )
            .distinct()
            .order_by(Person.id)
        )
    ).all()
    await enqueue_in(
        session,
        [
            NewMessage(
                f"objection-raised:{notice.objection_id}:{person_id}",
                chat_id,
                payload,
                person_id,
                KIND_RAISED,
                f"objection-raised:{period_id}",
            )
            for person_id, chat_id in chairs
        ],
        now,
    )


async def cancel(db: Database, actor: Actor) -> None:
    """Stop composing an objection or typing the council's answer (nothing is recorded)."""
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is not None and (conversation.cursor or {}).get("flow") in (FLOW, COUNCIL_FLOW):
            conversation.cursor = _without(_without(conversation.cursor, FLOW), COUNCIL_FLOW)


# -- the council ----------------------------------------------------------------------------------
async def _council_item(session: AsyncSession, objection: Objection, step: str = "") -> CouncilItem:
    period, framework = await _period(session, objection.period_id)
    unit = await session.get(Unit, objection.unit_id)
    sub = framework.sub_index(objection.sub_index_code)
    points, self_points = await _item_points(session, period.id, unit, sub.code)
    person = await session.get(Person, objection.raised_by) if objection.raised_by else None
    waiting = (
        await session.execute(select(func.count()).where(Objection.state == ObjectionState.OPEN.value))
    ).scalar_one()
    return CouncilItem(
        objection.id,
        period.id,
        period.title,
        unit.name,
        sub.code,
        sub.name,
        points,
        self_points,
        sub.max_points,
        objection.reason,
        person.full_name if person else "",
        objection.raised_at,
        await _evidence_lines(session, list((objection.detail or {}).get("evidence", []))),
        waiting,
        step,
    )


async def next_objection(db: Database, actor: Actor, after: int = 0) -> CouncilItem | None:
    """The council's next open objection (oldest first; after `after` when moving on), or None."""
    actor.require(Action.COUNCIL)
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is not None and (conversation.cursor or {}).get("flow") == COUNCIL_FLOW:
            conversation.cursor = _without(conversation.cursor, COUNCIL_FLOW)
        query = (
            select(Objection)
            .join(Period, Period.id == Objection.period_id)
            .where(Objection.state == ObjectionState.OPEN.value, Period.state != PeriodState.PUBLISHED.value)
            .order_by(Objection.id)
        )
        found = (await session.execute(query.where(Objection.id > after).limit(1))).scalar_one_or_none()
        if found is None and after:
            found = (await session.execute(query.limit(1))).scalar_one_or_none()
        return None if found is None else await _council_item(session, found)


async def open_objection(db: Database, actor: Actor, objection_id: int) -> CouncilItem:
    """The council chair opens one objection: unit, item, current points, reason and evidence."""
    actor.require(Action.COUNCIL)
    async with db.read_session() as session:
        objection = await session.get(Objection, objection_id)
        if objection is None:
            raise ServiceError("unknown_item")
        return await _council_item(session, objection)


async def start_decision(db: Database, actor: Actor, objection_id: int, upheld: bool) -> CouncilItem:
    """Uphold (type the new points) or reject (type the reason) an open objection."""
    actor.require(Action.COUNCIL)
    async with db.session() as session, session.begin():
        objection = await _open(session, objection_id)
        conversation = await _conversation(session, actor)
        step = "points" if upheld else "reason"
        state = {"objection": objection.id, "step": step}
        conversation.cursor = {**_without(conversation.cursor, COUNCIL_FLOW), "flow": COUNCIL_FLOW, COUNCIL_FLOW: state}
        return await _council_item(session, objection, step)


async def _open(session: AsyncSession, objection_id: int) -> Objection:
    objection = await session.get(Objection, objection_id, with_for_update=True)
    if objection is None:
        raise ServiceError("unknown_item")
    if objection.state != ObjectionState.OPEN:
        raise ServiceError("objection_decided")
    period = await session.get(Period, objection.period_id)
    if period.state == PeriodState.PUBLISHED:
        raise ObjectionClosed(why="final", deadline=period.feedback_deadline)
    return objection


async def council_cursor(db: Database, actor: Actor) -> dict | None:
    """Where the council chair stands in answering an objection (their typed text is its input), or None."""
    if not actor.may(Action.COUNCIL):
        return None
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor if conversation else None) or {}
        return cursor.get(COUNCIL_FLOW) if cursor.get("flow") == COUNCIL_FLOW else None


async def council_text(
    db: Database, actor: Actor, text: str, render: RenderDecided, *, now: datetime
) -> tuple[Decided, CouncilItem | None]:
    """The council's typed answer: the new points ("7,5", optionally "; why") of an upheld objection, or
    the reason of a rejected one. Returns the decision and the next open objection."""
    actor.require(Action.COUNCIL)
    async with db.session() as session, session.begin():
        conversation = await _conversation(session, actor)
        cursor = conversation.cursor or {}
        state = cursor.get(COUNCIL_FLOW) if cursor.get("flow") == COUNCIL_FLOW else None
        if not state:
            raise ServiceError("nothing_open")
        objection = await _open(session, state["objection"])
        if state["step"] == "points":
            figure, _sep, note = text.partition(";")
            _period_row, framework = await _period(session, objection.period_id)
            sub = framework.sub_index(objection.sub_index_code)
            reading = read_number(figure, NumberField(min=Decimal(0), max=sub.max_points), "points")
            if reading.error is not None or reading.ambiguous:
                raise ServiceError("bad_points", max=sub.max_points)
            decided = await _decide(session, actor, objection, reading.value, visible(note), render, now)
        else:
            reason = visible(text)
            if not REASON_MIN <= len(reason) <= REASON_MAX:
                raise ServiceError("bad_objection_reason", low=REASON_MIN, high=REASON_MAX)
            decided = await _decide(session, actor, objection, None, reason, render, now)
        conversation.cursor = _without(conversation.cursor, COUNCIL_FLOW)
    return decided, await next_objection(db, actor, after=decided.objection_id)


async def decide(
    db: Database,
    actor: Actor,
    objection_id: int,
    new_points: Decimal | None,
    response: str,
    render: RenderDecided,
    *,
    now: datetime,
) -> Decided:
    """Answer an objection at once: upheld with `new_points`, or rejected (`new_points` None) with the reason."""
    actor.require(Action.COUNCIL)
    async with db.session() as session, session.begin():
        objection = await _open(session, objection_id)
        if new_points is None and not REASON_MIN <= len(visible(response)) <= REASON_MAX:
            raise ServiceError("bad_objection_reason", low=REASON_MIN, high=REASON_MAX)
        return await _decide(session, actor, objection, new_points, visible(response), render, now)


async def _decide(
    session: AsyncSession,
    actor: Actor,
    objection: Objection,
    new_points: Decimal | None,
    response: str,
    render: RenderDecided,
    now: datetime,
) -> Decided:
    period, framework = await _period(session, objection.period_id)
    unit = await session.get(Unit, objection.unit_id)
    sub = framework.sub_index(objection.sub_index_code)
    if new_points is not None and not Decimal(0) <= new_points <= sub.max_points:
        raise ServiceError("bad_points", max=sub.max_points)
    old_points, _self = await _item_points(session, period.id, unit, sub.code)
    if new_points is None:
        objection.state = ObjectionState.REJECTED.value
        final = old_points
    else:
        objection.state = ObjectionState.UPHELD.value
        final = new_points
        answer, _created = await locked_answer(session, period.id, unit.id, sub.code)
        before = snapshot(answer)
        answer.verified_points = new_points
        answer.status = AnswerStatus.ACCEPTED.value
        answer.revision = (answer.revision or 0) + 1
        objection.answer_id = answer.id
        session.add(
            AnswerHistory(
                answer_id=answer.id,
                revision=answer.revision,
                action="objection_upheld",
                changed_by=actor.audit_id,
                changed_at=now,
                old=before,
                new={**snapshot(answer), "objection": objection.id, "response": response},
            )
        )
    objection.old_points, objection.new_points = old_points, final
    objection.response = response
    objection.decided_by, objection.decided_at = actor.audit_id, now
    decided = Decided(
        objection.id,
        period.id,
        period.title,
        unit.id,
        unit.name,
        sub.code,
        sub.name,
        objection.state,
        old_points,
        final,
        sub.max_points,
        response,
    )
    payload = render(decided)
    people = (
        await session.execute(
            select(Person.id, Person.telegram_id)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.unit_id == unit.id,
                Membership.role.in_(("focal_point", "leader")),
                Membership.active.is_(True),
                Person.telegram_id.is_not(None),
            )
            .distinct()
            .order_by(Person.id)
        )
    ).all()
    await enqueue_in(
        session,
        [
            NewMessage(
                f"objection:{objection.id}:{person_id}", chat_id, payload, person_id, KIND, f"objection:{period.id}"
            )
            for person_id, chat_id in people
        ],
        now,
    )
    return decided
