"""Reviewing ("thẩm định"): a queue of submitted items; accept, correct the points with a reason, or
send back with a comment ("đề nghị bổ sung"), which notifies the unit's focal points."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from bot.services.access import Actor
from bot.services.admin.frameworks import framework_of
from bot.services.assessment.answers import record_history, snapshot
from bot.services.campaign.outbox import NewMessage, enqueue_in
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import visible
from scoring import InvalidAnswer, SubIndex, parse_answer, parse_decimal
from storage.db import Database
from storage.lean import lean_in
from storage.models import Answer, Conversation, Evidence, FrameworkVersion, Membership, Period, Person, Review, Unit

logger = logging.getLogger(__name__)


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
    waiting: int  # items in the queue, this one included
    unreadable: bool = False  # the stored answer no longer fits its item (shown as such, not as a value)


async def _item(session, answer: Answer, waiting: int) -> ReviewItem:  # type: ignore[no-untyped-def]
    period = await session.get(Period, answer.period_id)
    framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
    unit = await session.get(Unit, answer.unit_id)
    evidence = tuple(
        (await session.execute(select(Evidence).where(Evidence.answer_id == answer.id).order_by(Evidence.id))).scalars()
    )
    sub = framework.sub_index(answer.sub_index_code)
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
        unreadable=not _fits(sub, answer.raw),
    )


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


async def next_in_queue(db: Database, actor: Actor) -> ReviewItem | None:
    """The oldest submitted item, or None when the queue is empty."""
    actor.require(Action.REVIEW)
    async with db.read_session() as session:
        waiting = (
            await session.execute(select(func.count()).select_from(Answer).where(Answer.status == "submitted"))
        ).scalar_one()
        answer = (
            await session.execute(
                select(Answer).where(Answer.status == "submitted").order_by(Answer.submitted_at, Answer.id).limit(1)
            )
        ).scalar_one_or_none()
        return None if answer is None else await _item(session, answer, waiting)


async def open_review(db: Database, actor: Actor, answer_id: int) -> ReviewItem:
    """The reviewer sees one submitted answer with its evidence, ready to decide."""
    actor.require(Action.REVIEW)
    async with db.read_session() as session:
        answer = await session.get(Answer, answer_id)
        if answer is None:
            raise ServiceError("unknown_item")
        return await _item(session, answer, 1)


async def start_input(db: Database, actor: Actor, answer_id: int, decision: str) -> ReviewItem:
    """Correcting points or sending back needs typed input: remember what the reviewer is doing."""
    actor.require(Action.REVIEW)
    if decision not in ("correct", "needs_supplement"):
        raise ServiceError("unknown_item")
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            conversation = Conversation(person_id=actor.person_id, cursor={})
            session.add(conversation)
        step = "points" if decision == "correct" else "comment"
        conversation.cursor = {"flow": "review", "answer": answer_id, "decision": decision, "step": step}
        answer = await session.get(Answer, answer_id)
        if answer is None:
            raise ServiceError("unknown_item")
        return await _item(session, answer, 1)


async def review_cursor(db: Database, actor: Actor) -> dict[str, Any] | None:
    """Where a reviewer stands in a review (their typed text is its input), or None."""
    if not actor.may(Action.REVIEW):
        return None
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor or {}) if conversation else {}
        return cursor if cursor.get("flow") == "review" else None


async def typed_input(
    db: Database, actor: Actor, text: str, render_notice: Callable[..., dict], *, now: datetime
) -> tuple[str, Any]:
    """Points (then the reason) for a correction, or the comment for sending back.
    Returns ("ask_reason", item) or ("decided", next item or None)."""
    cursor = await review_cursor(db, actor)
    if cursor is None:
        raise ServiceError("nothing_open")
    if cursor["step"] == "points":
        item = await open_review(db, actor, cursor["answer"])
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
    comment = text.strip()
    shown = visible(comment)
    if not shown:
        raise ServiceError("invisible_text")
    if len(shown) < 3 or len(comment) > 2000:
        raise ServiceError("bad_comment")
    points = Decimal(cursor["points"]) if cursor.get("points") else None
    return "decided", await decide(
        db, actor, cursor["answer"], cursor["decision"], points, comment, render_notice, now=now
    )


async def decide(
    db: Database,
    actor: Actor,
    answer_id: int,
    decision: str,
    points: Decimal | None = None,
    comment: str = "",
    render_notice: Callable[..., dict] | None = None,
    *,
    now: datetime,
) -> ReviewItem | None:
    """Record the decision (audited; verified points replace self points in every score) and return
    the next item of the queue."""
    actor.require(Action.REVIEW)
    async with db.session() as session, session.begin():
        answer = await session.get(Answer, answer_id, with_for_update=True)
        if answer is None:
            raise ServiceError("unknown_item")
        if answer.status != "submitted":
            raise ServiceError("already_reviewed")
        old = snapshot(answer)
        if decision == "accept":
            answer.status, answer.verified_points = "accepted", answer.self_points
        elif decision == "correct":
            if points is None or not visible(comment):
                raise ServiceError("bad_comment")
            answer.status, answer.verified_points = "accepted", points
        elif decision == "needs_supplement":
            if not visible(comment):
                raise ServiceError("bad_comment")
            answer.status = "needs_supplement"
        else:
            raise ServiceError("unknown_item")
        session.add(
            Review(
                answer_id=answer.id,
                reviewer_id=actor.person_id,
                decision=decision,
                points=answer.verified_points if decision != "needs_supplement" else None,
                comment=comment,
                created_at=now,
            )
        )
        answer.revision += 1
        await record_history(
            await lean_in(session), answer, "review", actor.person_id, now, old, snapshot(answer) | {"comment": comment}
        )
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is not None and (conversation.cursor or {}).get("flow") == "review":
            conversation.cursor = {}
        if decision == "needs_supplement" and render_notice is not None:
            unit = await session.get(Unit, answer.unit_id)
            period = await session.get(Period, answer.period_id)
            sub = framework_of(await session.get(FrameworkVersion, period.framework_version_id)).sub_index(
                answer.sub_index_code
            )
            focal = (
                await session.execute(
                    select(Person.id, Person.telegram_id)
                    .join(Membership, Membership.person_id == Person.id)
                    .where(
                        Membership.unit_id == unit.id,
                        Membership.role == "focal_point",
                        Membership.active.is_(True),
                        Person.telegram_id.is_not(None),
                    )
                )
            ).all()
            payload = render_notice(unit.id, period.id, sub, comment)
            await enqueue_in(
                session,
                [
                    NewMessage(
                        f"sendback:{answer.id}:{answer.revision}:{person_id}", chat_id, payload, person_id, "review"
                    )
                    for person_id, chat_id in focal
                ],
                now,
            )
    return await next_in_queue(db, actor)
