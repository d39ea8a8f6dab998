"""The unit's approval of its self-assessment (a period setting, `Period.unit_approval`, on by default).

Focal points prepare the answers and submit them: in the self-assessment phase the submission goes
to the unit's leader (a `unit_approval` row "submit"; every leader of the unit gets a message with a
button to the summary). The leader sees the summary — points per index, items missing evidence,
the unit's explanations — and approves it ("approve": only then do its answers reach the appraisal
queue) or returns it to the focal points with a comment ("return": the submitted answers go back to
draft, the focal points are told the comment). The rows are append-only: the newest one of a unit
is its state. With the setting off, a submission goes straight to appraisal, as it always did.

For the appraisal queue (bot.services.appraisal): `reaches_appraisal()` is the SQL condition on
`Answer` rows — true where the period does not ask for approval or the unit's newest row is an
approval — and `approved_units(session, period_id)` the set of approved units. A unit approved once
stays approved for the supplements of the appraisal phase; a new submission during the
self-assessment asks the leader again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor, NotAllowed
from bot.services.admin.frameworks import framework_of
from bot.services.assessment.answers import record_history, snapshot
from bot.services.assessment.views import UnitApprovalStatus
from bot.services.campaign.outbox import NewMessage, enqueue_in
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import visible
from scoring.evidence import evidence_missing
from scoring.states import AnswerStatus, ApprovalAction, PeriodState
from scoring.unit import answerable_items, read_stored
from storage.db import Database
from storage.lean import Lean, lean_in, statement
from storage.models import (
    Answer,
    Conversation,
    Evidence,
    FrameworkVersion,
    Membership,
    Period,
    Person,
    Unit,
    UnitApproval,
)

# A unit's approval state: its newest row's action, or NONE before anything was submitted to the leader.
NONE, WAITING, APPROVED, RETURNED, REOPENED = "none", "waiting", "approved", "returned", "reopened"
_STATE_OF = {
    ApprovalAction.SUBMIT: WAITING,
    ApprovalAction.APPROVE: APPROVED,
    ApprovalAction.RETURN: RETURNED,
    ApprovalAction.REOPEN: REOPENED,
}
COMMENT_MAX = 2000
# The phases in which a leader decides: the self-assessment, or late, during the appraisal.
_DECIDING = (PeriodState.OPEN, PeriodState.LOCKED)


# -- the appraisal queue's condition ---------------------------------------------------------------
def _newest_action(period_id: Any, unit_id: Any) -> Any:
    return (
        select(UnitApproval.action)
        .where(UnitApproval.period_id == period_id, UnitApproval.unit_id == unit_id)
        .order_by(UnitApproval.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def reaches_appraisal(answer: Any = Answer) -> ColumnElement[bool]:
    """SQL condition on `answer` rows (the model or an alias of it): the answer may be appraised —
    its period does not ask for the unit's approval, or the unit's newest approval row approves.
    Use it in the appraisal queue: `select(Answer).where(Answer.status == "submitted", reaches_appraisal())`."""
    approval_off = select(Period.unit_approval).where(Period.id == answer.period_id).scalar_subquery()
    return or_(not_(approval_off), _newest_action(answer.period_id, answer.unit_id) == ApprovalAction.APPROVE.value)


async def newest_actions(session: AsyncSession, period_id: int) -> dict[int, str]:
    """Each unit's newest approval action in the period (units without a row are left out)."""
    newest = (
        select(UnitApproval.unit_id, func.max(UnitApproval.id).label("last"))
        .where(UnitApproval.period_id == period_id)
        .group_by(UnitApproval.unit_id)
        .subquery()
    )
    rows = await session.execute(
        select(UnitApproval.unit_id, UnitApproval.action).join(newest, newest.c.last == UnitApproval.id)
    )
    return {unit_id: action for unit_id, action in rows}


async def approved_units(session: AsyncSession, period_id: int) -> set[int]:
    """The units whose self-assessment the leader approved (newest row "approve") in the period."""
    return {u for u, action in (await newest_actions(session, period_id)).items() if action == ApprovalAction.APPROVE}


async def appraisable_units(session: AsyncSession, period_id: int) -> set[int] | None:
    """The units whose answers the appraisers may see: the approved ones, or None (every unit) when
    the period does not ask for approval."""
    period = await session.get(Period, period_id)
    if period is None or not period.unit_approval:
        return None
    return await approved_units(session, period_id)


async def approval_counts(session: AsyncSession, period: Period) -> dict[str, int]:
    """Units by approval state (waiting, approved, returned, reopened) in the period."""
    counts: dict[str, int] = {}
    for action in (await newest_actions(session, period.id)).values():
        state = _STATE_OF.get(ApprovalAction(action), NONE)
        counts[state] = counts.get(state, 0) + 1
    return counts


# -- the focal point's summary (hand-written SQL, in the self-assessment's transaction) -----------
_NEWEST_OF_UNIT = statement(
    "SELECT a.action, a.created_at, a.comment FROM unit_approval a JOIN period p ON p.id = a.period_id "
    "WHERE a.period_id = :period_id AND a.unit_id = :unit_id AND p.unit_approval = :on "
    "ORDER BY a.id DESC LIMIT 1"
)


async def approval_status_in(sql: Lean, period_id: int, unit_id: int) -> UnitApprovalStatus | None:
    """The unit's approval as its focal points see it on the summary: the newest row's state, when
    and the comment; None where the period does not ask for approval or nothing was sent yet."""
    row = await sql.row(_NEWEST_OF_UNIT, {"period_id": period_id, "unit_id": unit_id, "on": True})
    if row is None:
        return None
    action, at, comment = row
    return UnitApprovalStatus(_STATE_OF.get(ApprovalAction(action), NONE), sql.read_instant(at), comment or "")


# -- the submission (inside the focal point's transaction, hand-written SQL) ----------------------
@dataclass(frozen=True)
class SubmissionNotice:
    """What a leader is told when the focal points submit the unit's self-assessment."""

    unit_id: int
    unit_name: str
    period_id: int
    period_title: str
    submitted_by: str
    count: int  # answers submitted now


_PERIOD_SETTING = statement("SELECT unit_approval, state, title FROM period WHERE id = :id")
_INSERT_APPROVAL = statement(
    "INSERT INTO unit_approval (period_id, unit_id, action, comment, person_id, via, created_at) "
    "VALUES (:period_id, :unit_id, :action, :comment, :person_id, :via, :at)"
)
_UNIT_PEOPLE = statement(
    "SELECT p.id, p.telegram_id FROM person p JOIN membership m ON m.person_id = p.id "
    "WHERE m.unit_id = :unit_id AND m.role = :role AND m.active = :active AND p.telegram_id IS NOT NULL "
    "ORDER BY p.id"
)
_QUEUE_MESSAGE = statement(
    "INSERT INTO outbox (dedupe_key, chat_id, person_id, kind, batch, payload, state, attempts, not_before, "
    "error, created_at) VALUES (:key, :chat_id, :person_id, :kind, :batch, :payload, 'pending', 0, :at, '', :at) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)


async def submitted_in(
    sql: Lean,
    actor: Actor,
    unit_id: int,
    unit_name: str,
    period_id: int,
    count: int,
    now: datetime,
    render: Callable[[SubmissionNotice], dict] | None,
) -> bool:
    """Called by the focal point's submission, in its transaction: when the period asks for the
    unit's approval and is in its self-assessment phase, the self-assessment goes to the unit's
    leaders (a "submit" row; each leader gets `render(notice)` with a button to the summary).
    Returns whether it went to the leaders (False: straight to appraisal)."""
    setting = await sql.row(_PERIOD_SETTING, {"id": period_id})
    if setting is None or not setting[0] or setting[1] != PeriodState.OPEN:
        return False
    at = sql.instant(now)
    await sql.run(
        _INSERT_APPROVAL,
        {
            "period_id": period_id,
            "unit_id": unit_id,
            "action": ApprovalAction.SUBMIT.value,
            "comment": "",
            "person_id": actor.audit_id,
            "via": "chat",
            "at": at,
        },
    )
    if render is not None:
        notice = SubmissionNotice(unit_id, unit_name, period_id, setting[2], actor.full_name, count)
        payload = sql.json(render(notice))
        stamp = now.strftime("%Y%m%d%H%M%S%f")
        for person_id, chat_id in await sql.rows(_UNIT_PEOPLE, {"unit_id": unit_id, "role": "leader", "active": True}):
            await sql.run(
                _QUEUE_MESSAGE,
                {
                    "key": f"approval:{period_id}:{unit_id}:{stamp}:{person_id}",
                    "chat_id": chat_id,
                    "person_id": person_id,
                    "kind": "approval",
                    "batch": f"approval:{period_id}:{unit_id}",
                    "payload": payload,
                    "at": at,
                },
            )
    return True


# -- the leader's summary --------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexPoints:
    code: str
    name: str
    points: Decimal
    max_points: Decimal


@dataclass(frozen=True)
class ApprovalView:
    """A unit's self-assessment as its leader sees it before approving."""

    unit_id: int
    unit_name: str
    period_id: int
    period_title: str
    period_state: str
    deadline: date
    state: str  # none, waiting, approved, returned, reopened
    since: datetime | None  # when the newest row was written
    by: str  # who wrote it
    comment: str  # the newest row's comment (a return's reason)
    indices: tuple[IndexPoints, ...]
    points: Decimal
    max_points: Decimal
    answered: int
    total: int
    missing_evidence: tuple[tuple[str, str], ...]  # (code, name)
    explanations: tuple[tuple[str, str, str], ...]  # (code, name, explanation)
    unanswered: tuple[tuple[str, str], ...]
    confirming: bool = False  # asked "approve now?"
    notice: str = ""  # approved, returned: what just happened

    @property
    def can_decide(self) -> bool:
        return self.state == WAITING and self.period_state in _DECIDING


@dataclass(frozen=True)
class ApprovalChoice:
    """The leader's units and where each stands (a leader of several units chooses one)."""

    units: tuple[tuple[int, str, int, str], ...]  # unit id, unit name, period id, state


def _leader_units(actor: Actor) -> list[int]:
    return [r.unit_id for r in actor.units() if actor.may(Action.APPROVE, r.unit_id)]


async def _period_of(session: AsyncSession, unit: Unit, period_id: int | None) -> Period:
    from bot.services.campaign.periods import current_period

    if period_id is not None:
        period = await session.get(Period, period_id)
        if period is None or period.state == PeriodState.DRAFT:
            raise ServiceError("unknown_period", period=period_id)
        return period
    found = await current_period(session, unit)
    if found is None:
        raise ServiceError("no_period")
    return found[0]


async def _newest(session: AsyncSession, period_id: int, unit_id: int) -> UnitApproval | None:
    return (
        await session.execute(
            select(UnitApproval)
            .where(UnitApproval.period_id == period_id, UnitApproval.unit_id == unit_id)
            .order_by(UnitApproval.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def approvals(db: Database, actor: Actor) -> ApprovalView | ApprovalChoice:
    """The leader's menu button: the summary of their unit, or (several units) where each stands."""
    units = _leader_units(actor)
    if not units:
        raise NotAllowed(action=Action.APPROVE.value)
    chosen = actor.unit.unit_id if actor.unit is not None and actor.unit.unit_id in units else None
    if chosen is not None or len(units) == 1:
        return await approval_view(db, actor, chosen or units[0], None)
    rows = []
    async with db.read_session() as session:
        for unit_id in units:
            unit = await session.get(Unit, unit_id)
            try:
                period = await _period_of(session, unit, None)
            except ServiceError:
                continue
            newest = await _newest(session, period.id, unit_id)
            rows.append((unit_id, unit.name, period.id, _state(newest)))
    return ApprovalChoice(tuple(rows))


def _state(row: UnitApproval | None) -> str:
    return NONE if row is None else _STATE_OF.get(ApprovalAction(row.action), NONE)


async def approval_view(
    db: Database, actor: Actor, unit_id: int, period_id: int | None, confirming: bool = False
) -> ApprovalView:
    """The leader sees the unit's self-assessment: points per index, items missing evidence, the
    unit's explanations, and where its approval stands."""
    actor.require(Action.APPROVE, unit_id)
    async with db.read_session() as session:
        return await _view(session, unit_id, period_id, confirming)


async def _view(
    session: AsyncSession, unit_id: int, period_id: int | None, confirming: bool = False, notice: str = ""
) -> ApprovalView:
    from bot.services.results.scores import load_period_scores

    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise ServiceError("unknown_unit", unit=unit_id)
    period = await _period_of(session, unit, period_id)
    framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
    newest = await _newest(session, period.id, unit.id)
    by = ""
    if newest is not None and newest.person_id is not None:
        by = (await session.get(Person, newest.person_id)).full_name
    scores = await load_period_scores(session, period.id)
    cohort = scores.cohort_of(unit.code)
    result = cohort.entry(unit.code).result if cohort is not None else None
    answers = {
        a.sub_index_code: a
        for a in (
            await session.execute(select(Answer).where(Answer.period_id == period.id, Answer.unit_id == unit.id))
        ).scalars()
    }
    pieces = dict(
        (
            await session.execute(
                select(Evidence.answer_id, func.count())
                .join(Answer, Answer.id == Evidence.answer_id)
                .where(Answer.period_id == period.id, Answer.unit_id == unit.id)
                .group_by(Evidence.answer_id)
            )
        ).all()
    )
    items = answerable_items(framework, unit.attributes or {})
    missing, explained, unanswered = [], [], []
    for sub in items:
        answer = answers.get(sub.code)
        if answer is None or answer.raw is None:
            unanswered.append((sub.code, sub.name))
            continue
        if answer.explanation.strip():
            explained.append((sub.code, sub.name, answer.explanation.strip()))
        points = result.subs[sub.code].points if result is not None and sub.code in result.subs else None
        stored = read_stored(sub, answer.raw)
        if evidence_missing(sub, stored or answer.raw, points, pieces.get(answer.id, 0), answer.explanation):
            missing.append((sub.code, sub.name))
    indices = tuple(
        IndexPoints(i.code, i.name, result.indices[i.code].points, result.indices[i.code].max_points)
        for i in framework.indices
        if result is not None and i.code in result.indices and result.indices[i.code].max_points > 0
    )
    return ApprovalView(
        unit.id,
        unit.name,
        period.id,
        period.title,
        period.state,
        period.deadline,
        _state(newest),
        newest.created_at if newest is not None else None,
        by,
        newest.comment if newest is not None else "",
        indices,
        result.points if result is not None else Decimal(0),
        result.max_points if result is not None else Decimal(0),
        len(items) - len(unanswered),
        len(items),
        tuple(missing),
        tuple(explained),
        tuple(unanswered),
        confirming,
        notice,
    )


# -- deciding --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecisionNotice:
    """What the unit's focal points are told of the leader's decision."""

    unit_id: int
    unit_name: str
    period_id: int
    leader: str
    approved: bool
    comment: str


async def _waiting(session: AsyncSession, unit_id: int, period_id: int, returning: bool) -> Period:
    period = await session.get(Period, period_id, with_for_update=True)
    if period is None:
        raise ServiceError("unknown_period", period=period_id)
    if not period.unit_approval:
        raise ServiceError("approval_off", period=period_id)
    newest = await _newest(session, period_id, unit_id)
    if _state(newest) != WAITING:
        raise ServiceError("not_waiting_approval", approval=_state(newest))
    if period.state not in ((PeriodState.OPEN,) if returning else _DECIDING):
        raise ServiceError("bad_transition", period=period_id, state=period.state, action="approve")
    return period


async def approve(
    db: Database,
    actor: Actor,
    unit_id: int,
    period_id: int,
    *,
    now: datetime,
    render: Callable[[DecisionNotice], dict] | None = None,
    via: str = "chat",
) -> ApprovalView:
    """The leader approves the unit's self-assessment: its answers reach the appraisal queue; the
    focal points are told."""
    actor.require(Action.APPROVE, unit_id)
    async with db.session() as session, session.begin():
        await _waiting(session, unit_id, period_id, returning=False)
        session.add(_row(period_id, unit_id, ApprovalAction.APPROVE, "", actor, via, now))
        await _tell_focal_points(session, actor, unit_id, period_id, True, "", now, render)
        await _clear_cursor(session, actor)
        await session.flush()
        return await _view(session, unit_id, period_id, notice=APPROVED)


async def return_to_focal_points(
    db: Database,
    actor: Actor,
    unit_id: int,
    period_id: int,
    comment: str,
    *,
    now: datetime,
    render: Callable[[DecisionNotice], dict] | None = None,
    via: str = "chat",
) -> ApprovalView:
    """The leader returns the self-assessment with a comment: the submitted answers go back to
    draft (audited), the focal points are told the comment with a button to the summary."""
    actor.require(Action.APPROVE, unit_id)
    text = _checked_comment(comment)
    async with db.session() as session, session.begin():
        await _waiting(session, unit_id, period_id, returning=True)
        session.add(_row(period_id, unit_id, ApprovalAction.RETURN, text, actor, via, now))
        submitted = (
            await session.execute(
                select(Answer)
                .where(
                    Answer.period_id == period_id,
                    Answer.unit_id == unit_id,
                    Answer.status == AnswerStatus.SUBMITTED,
                )
                .with_for_update()
            )
        ).scalars()
        sql = None
        for answer in submitted:
            old = snapshot(answer)
            answer.status = AnswerStatus.DRAFT.value
            answer.revision += 1
            sql = sql or await lean_in(session)
            await record_history(
                sql, answer, "returned", actor.person_id, now, old, snapshot(answer) | {"comment": text}
            )
        await _tell_focal_points(session, actor, unit_id, period_id, False, text, now, render)
        await _clear_cursor(session, actor)
        await session.flush()
        return await _view(session, unit_id, period_id, notice=RETURNED)


def _checked_comment(comment: str) -> str:
    text = comment.strip()
    shown = visible(text)
    if not shown:
        raise ServiceError("invisible_text")
    if len(shown) < 3 or len(text) > COMMENT_MAX:
        raise ServiceError("bad_comment")
    return text


def _row(period_id: int, unit_id: int, action: ApprovalAction, comment: str, actor: Actor, via: str, now: datetime):  # type: ignore[no-untyped-def]
    return UnitApproval(
        period_id=period_id,
        unit_id=unit_id,
        action=action.value,
        comment=comment,
        person_id=actor.audit_id,
        via="cli" if actor.system else via,
        created_at=now,
    )


async def _tell_focal_points(
    session: AsyncSession,
    actor: Actor,
    unit_id: int,
    period_id: int,
    approved: bool,
    comment: str,
    now: datetime,
    render: Callable[[DecisionNotice], dict] | None,
) -> None:
    if render is None:
        return
    unit = await session.get(Unit, unit_id)
    payload = render(DecisionNotice(unit_id, unit.name, period_id, actor.full_name, approved, comment))
    people = (
        await session.execute(
            select(Person.id, Person.telegram_id)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.unit_id == unit_id,
                Membership.role == "focal_point",
                Membership.active.is_(True),
                Person.telegram_id.is_not(None),
            )
        )
    ).all()
    kind = "approved" if approved else "returned"
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    await enqueue_in(
        session,
        [
            NewMessage(f"{kind}:{period_id}:{unit_id}:{stamp}:{person_id}", chat_id, payload, person_id, kind)
            for person_id, chat_id in people
        ],
        now,
    )


# -- the return's comment, typed in the chat -------------------------------------------------------
async def start_return(db: Database, actor: Actor, unit_id: int, period_id: int, *, now: datetime) -> ApprovalView:
    """Returning needs a comment: remember it, the leader's next text is the comment."""
    actor.require(Action.APPROVE, unit_id)
    async with db.session() as session, session.begin():
        await _waiting(session, unit_id, period_id, returning=True)
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            conversation = Conversation(person_id=actor.person_id, cursor={})
            session.add(conversation)
        conversation.cursor = {"flow": "approval", "unit": unit_id, "period": period_id, "step": "comment"}
        conversation.updated_at = now
        await session.flush()
        return await _view(session, unit_id, period_id)


async def approval_cursor(db: Database, actor: Actor) -> dict[str, Any] | None:
    """Where a leader stands in a return (their typed text is its comment), or None."""
    if not _leader_units(actor):
        return None
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor or {}) if conversation else {}
        return cursor if cursor.get("flow") == "approval" else None


async def typed_comment(
    db: Database, actor: Actor, text: str, *, now: datetime, render: Callable[[DecisionNotice], dict] | None = None
) -> ApprovalView:
    """The comment of a return asked in the chat."""
    cursor = await approval_cursor(db, actor)
    if cursor is None:
        raise ServiceError("nothing_open")
    return await return_to_focal_points(db, actor, cursor["unit"], cursor["period"], text, now=now, render=render)


async def cancel_input(db: Database, actor: Actor) -> None:
    """The leader gives up typing a return's comment: nothing is returned."""
    async with db.session() as session, session.begin():
        await _clear_cursor(session, actor)


async def _clear_cursor(session: AsyncSession, actor: Actor) -> None:
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    if conversation is not None and (conversation.cursor or {}).get("flow") == "approval":
        conversation.cursor = {}


async def waiting_units(session: AsyncSession, period_id: int) -> set[int]:
    """Units whose self-assessment waits for the leader (for progress screens)."""
    return {u for u, action in (await newest_actions(session, period_id)).items() if action == ApprovalAction.SUBMIT}


__all__ = [
    "APPROVED",
    "NONE",
    "RETURNED",
    "WAITING",
    "ApprovalChoice",
    "ApprovalView",
    "DecisionNotice",
    "SubmissionNotice",
    "appraisable_units",
    "approval_counts",
    "approval_view",
    "approvals",
    "approve",
    "approved_units",
    "reaches_appraisal",
    "return_to_focal_points",
    "submitted_in",
]
