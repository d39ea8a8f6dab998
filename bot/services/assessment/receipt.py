"""The receipt of a submission ("biên nhận"): what the unit sent — every item's answer and points,
and each evidence file's SHA-256 — so the unit can prove what it submitted, and to whom it goes
(every focal point of the unit the bot can reach)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.services.access import Actor
from bot.services.assessment.context import assessment, item_points, readable, unit_result
from bot.services.assessment.views import PeriodRef
from scoring import SubIndex
from scoring.states import AnswerStatus
from storage.db import Database
from storage.lean import statement

_EVIDENCE = statement(
    "SELECT e.answer_id, e.kind, e.file_name, e.url, e.doc_number, e.doc_date, e.doc_summary, e.content_key, e.size "
    "FROM evidence e JOIN answer a ON a.id = e.answer_id "
    "WHERE a.period_id = :period_id AND a.unit_id = :unit_id ORDER BY e.id"
)
_FOCAL_POINTS = statement(
    "SELECT DISTINCT p.telegram_id FROM membership m JOIN person p ON p.id = m.person_id "
    "WHERE m.unit_id = :unit_id AND m.role = 'focal_point' AND m.active = :yes "
    "AND p.reachable = :yes AND p.telegram_id IS NOT NULL ORDER BY p.telegram_id"
)


@dataclass(frozen=True)
class ReceiptEvidence:
    kind: str  # photo, document, link, document_ref
    name: str  # file name, link, or the cited document's number
    sha256: str  # files only (Evidence.content_key: the SHA-256 of the stored bytes)
    size: int | None
    day: date | None = None  # a cited document's date
    summary: str = ""  # a cited document's summary


@dataclass(frozen=True)
class ReceiptItem:
    sub: SubIndex
    raw: dict[str, Any] | None
    points: Decimal | None
    provisional: bool
    status: str
    evidence: tuple[ReceiptEvidence, ...]


@dataclass(frozen=True)
class Receipt:
    ref: PeriodRef
    at: datetime
    items: tuple[ReceiptItem, ...]  # every item the unit answers, in framework order
    points: Decimal
    max_points: Decimal
    submitted: int  # items submitted (or accepted) so far
    recipients: tuple[int, ...]  # Telegram ids of the unit's focal points


async def submission_receipt(db: Database, actor: Actor, unit_id: int, period_id: int, *, now: datetime) -> Receipt:
    """The unit's receipt as it stands now (called right after a submission)."""
    async with assessment(db, actor, unit_id, period_id, now, write=False) as ctx:
        rows = await ctx.sql.rows(_EVIDENCE, {"period_id": ctx.period.id, "unit_id": ctx.unit.id})
        by_answer: dict[int, list[ReceiptEvidence]] = {}
        for answer_id, kind, file_name, url, number, day, summary, key, size in rows:
            name = url if kind == "link" else number if kind == "document_ref" else file_name
            piece = ReceiptEvidence(kind, name or "", key or "", size, ctx.sql.read_day(day), summary or "")
            by_answer.setdefault(answer_id, []).append(piece)
        items, submitted = [], 0
        for sub in ctx.items:
            answer = ctx.answers.get(sub.code)
            usable = readable(sub, answer)
            points, provisional = await item_points(ctx, sub, answer) if answer and usable else (None, False)
            status = answer.status if answer else AnswerStatus.DRAFT.value
            given = answer is not None and answer.given
            submitted += 1 if given and status in (AnswerStatus.SUBMITTED, AnswerStatus.ACCEPTED) else 0
            pieces = tuple(by_answer.get(answer.id, ())) if answer else ()
            raw = answer.raw if answer and usable and given else None
            items.append(ReceiptItem(sub, raw, points, provisional, status, pieces))
        recipients = await ctx.sql.rows(_FOCAL_POINTS, {"unit_id": ctx.unit.id, "yes": True})
        # The total over the unit's maximum as every other screen counts them (one rule: scoring.score_unit).
        result = await unit_result(ctx)
        return Receipt(
            ctx.ref,
            now,
            tuple(items),
            result.points,
            result.max_points,
            submitted,
            tuple(int(r[0]) for r in recipients),
        )
