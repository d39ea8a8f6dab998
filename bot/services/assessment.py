"""The guided self-assessment: one use case per action a focal point takes, one transaction each.

The cursor (which item, which step, half-given input) lives in the Conversation row, so a person
resumes exactly where they stopped — after hours, or after the bot process was killed.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.services.access import Actor
from bot.services.answers import record_history, snapshot, write_answer
from bot.services.assessment_context import (
    Ctx,
    UnknownItem,
    assessment,
    evidence_counts,
    item_points,
)
from bot.services.assessment_items import ToSummary, item_view, open_at
from bot.services.assessment_views import (
    DONE,
    MISSING,
    PARTIAL,
    IndexLine,
    ItemList,
    ItemView,
    ListRow,
    Notice,
    Paused,
    Summary,
)
from bot.services.errors import ServiceError
from bot.services.evidence import add_link, document_ref_step
from scoring import InvalidAnswer, SubIndex, parse_decimal
from storage.db import Database
from storage.types import utcnow

LIST_PAGE = 12
_RATIO = re.compile(r"^\s*([\d.,]+)\s*(?:/|:|trên|tren|\s)\s*([\d.,]+)\s*$", re.IGNORECASE)
YES_WORDS = {"có", "co", "đạt", "dat", "yes", "rồi", "roi", "x"}
NO_WORDS = {"không", "khong", "ko", "chưa", "chua", "no", "không đạt", "khong dat"}


class ExpectButton(ServiceError):
    """Text arrived where a button is expected."""

    reason = "expect_button"


class NothingOpen(ServiceError):
    reason = "nothing_open"


class InputRejected(ServiceError):
    """Typed input that does not fit the open item, with the labels a message needs."""

    reason = "input_rejected"

    def __init__(self, error: InvalidAnswer, a_label: str = "a", b_label: str = "b") -> None:
        super().__init__()
        self.error, self.a_label, self.b_label = error, a_label, b_label


# -- reading ---------------------------------------------------------------------------------------
def _first_open_item(ctx: Ctx) -> str | None:
    for sub in ctx.items:
        answer = ctx.answers.get(sub.code)
        if answer is None or not answer.given or answer.status == "needs_supplement":
            return sub.code
    return None


async def open_current(
    db: Database, actor: Actor, unit_id: int | None = None, now: datetime | None = None
) -> ItemView | Summary:
    """Resume where the person stopped; a first visit starts at the first unanswered item."""
    now = now or utcnow()
    async with assessment(db, actor, unit_id, None, now) as ctx:
        cursor = ctx.cursor
        code = cursor.get("code") if cursor.get("period") == ctx.period.id else None
        if cursor.get("step") == "summary" and cursor.get("period") == ctx.period.id:
            return await _summary(ctx, now)
        if code is not None and any(s.code == code for s in ctx.items):
            return await item_view(ctx, code)
        code = _first_open_item(ctx)
        if code is None:
            return await _summary(ctx, now)
        return await open_at(ctx, code, now)


async def open_item(
    db: Database,
    actor: Actor,
    unit_id: int,
    period_id: int,
    code: str,
    step: str = "answer",
    now: datetime | None = None,
) -> ItemView:
    """Open any item (from the list, a reminder or a reviewer's notice) at a step, showing its current value."""
    now = now or utcnow()
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        ctx.item(code)
        return await open_at(ctx, code, now, step=step)


# -- answering -------------------------------------------------------------------------------------
async def _record(ctx: Ctx, sub: SubIndex, raw: dict[str, Any], now: datetime) -> ItemView:
    answer, changed = await write_answer(
        ctx.sql,
        period_id=ctx.period.id,
        unit_id=ctx.unit.id,
        sub=sub,
        raw=raw,
        person_id=ctx.actor.person_id,
        now=now,
        known=ctx.answers.get(sub.code),
    )
    ctx.answers[sub.code] = answer
    points, provisional = await item_points(ctx, sub, answer)
    notice = Notice(
        "recorded" if changed else "unchanged",
        {"code": sub.code, "points": points, "max": sub.max_points, "provisional": provisional},
    )
    if sub.evidence.kinds:
        return await open_at(ctx, sub.code, now, step="evidence", notice=notice)
    return await _advance(ctx, sub.code, now, notice)


async def _advance(ctx: Ctx, code: str, now: datetime, notice: Notice | None = None) -> ItemView:
    position = ctx.position(code)
    if position + 1 < len(ctx.items):
        return await open_at(ctx, ctx.items[position + 1].code, now, notice=notice)
    ctx.set_cursor(now, code=code, step="summary")
    raise ToSummary(notice)


async def answer_choice(
    db: Database,
    actor: Actor,
    unit_id: int,
    period_id: int,
    code: str,
    kind: str,
    value: str,
    now: datetime | None = None,
) -> ItemView | Summary:
    """A button answer: y / n (yes-no), o:<option>, t:<criterion> (toggle), d (criteria done)."""
    now = now or utcnow()
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        sub = ctx.item(code)
        ctx.writable()
        method = sub.method.kind
        try:
            if kind in ("y", "n") and method == "yes_no":
                return await _record(ctx, sub, {"yes": kind == "y"}, now)
            if kind == "o" and method == "options":
                return await _record(ctx, sub, {"option": value}, now)
            if kind == "t" and method == "criteria":
                return await _toggle(ctx, sub, value, now)
            if kind == "d" and method == "criteria":
                chosen = _chosen_criteria(ctx, sub)
                return await _record(ctx, sub, {"criteria": chosen}, now)
        except ToSummary as done:
            return await _summary(ctx, now, done.notice)
        raise UnknownItem(code=code, kind=kind)


def _chosen_criteria(ctx: Ctx, sub: SubIndex) -> list[str]:
    cursor = ctx.cursor
    if cursor.get("code") == sub.code and "criteria" in cursor.get("pending", {}):
        return list(cursor["pending"]["criteria"])
    answer = ctx.answers.get(sub.code)
    return list(answer.raw.get("criteria", [])) if answer and answer.raw else []


async def _toggle(ctx: Ctx, sub: SubIndex, criterion: str, now: datetime) -> ItemView:
    if criterion not in {c.code for c in sub.criteria}:
        raise UnknownItem(code=sub.code, criterion=criterion)
    chosen = _chosen_criteria(ctx, sub)
    chosen = [c for c in chosen if c != criterion] if criterion in chosen else [*chosen, criterion]
    return await open_at(ctx, sub.code, now, pending={"criteria": chosen})


async def answer_text(db: Database, actor: Actor, text: str, now: datetime | None = None) -> ItemView | Summary:
    """Typed input for the item and step under the cursor (numbers, a/b, a cited document's parts, a link).

    Raises InvalidAnswer (with the cursor unchanged) for input that does not fit.
    """
    now = now or utcnow()
    async with assessment(db, actor, None, None, now) as ctx:
        cursor = ctx.cursor
        if cursor.get("period") != ctx.period.id or not cursor.get("code") or cursor.get("step") == "summary":
            raise NothingOpen()
        sub = ctx.item(cursor["code"])
        step = cursor.get("step", "answer")
        ctx.writable()
        try:
            if step == "answer":
                return await _typed_answer(ctx, sub, text, now)
            if step == "b":
                b = _number(text, "b")
                return await _record(ctx, sub, {"a": cursor["pending"]["a"], "b": b}, now)
            if step in ("doc_number", "doc_date", "doc_summary"):
                return await document_ref_step(ctx, sub, step, text, now)
            if step == "evidence":
                return await add_link(ctx, sub, text, now)
        except ToSummary as done:
            return await _summary(ctx, now, done.notice)
        except InvalidAnswer as exc:
            method = sub.method
            raise InputRejected(
                exc, getattr(method, "a_label", "") or "a", getattr(method, "b_label", "") or "b"
            ) from exc
        raise ExpectButton()


def _number(text: str, field: str) -> str:
    try:
        return format(parse_decimal(text), "f")
    except ValueError as exc:
        raise InvalidAnswer("not_a_number", field, value=text) from exc


async def _typed_answer(ctx: Ctx, sub: SubIndex, text: str, now: datetime) -> ItemView:
    kind = sub.method.kind
    if kind == "ratio":
        both = _RATIO.match(text)
        if both:
            return await _record(ctx, sub, {"a": both.group(1), "b": both.group(2)}, now)
        a = _number(text, "a")
        if parse_decimal(a) < 0:
            raise InvalidAnswer("out_of_range", "a", low=Decimal(0), value=a)
        return await open_at(ctx, sub.code, now, step="b", pending={"a": a})
    if kind == "count_tiers":
        return await _record(ctx, sub, {"count": text.strip()}, now)
    if kind == "minmax":
        return await _record(ctx, sub, {"value": text.strip()}, now)
    if kind == "yes_no" and text.strip().lower() in YES_WORDS | NO_WORDS:
        return await _record(ctx, sub, {"yes": text.strip().lower() in YES_WORDS}, now)
    raise ExpectButton()


# -- moving around ---------------------------------------------------------------------------------
async def navigate(
    db: Database, actor: Actor, unit_id: int, period_id: int, code: str, action: str, now: datetime | None = None
) -> ItemView | Summary | Paused:
    """next / back / skip / edit (answer again) / pause / summary."""
    now = now or utcnow()
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        sub = ctx.item(code)
        position = ctx.position(code)
        if action == "back":
            return await open_at(ctx, ctx.items[max(position - 1, 0)].code, now)
        if action == "edit":
            ctx.writable()
            return await open_at(ctx, code, now)
        if action == "open":
            return await open_at(ctx, code, now)
        if action == "evidence":
            return await open_at(ctx, code, now, step="evidence")
        if action == "pause":
            ctx.set_cursor(now, code=code, step=ctx.cursor.get("step", "answer"), pending=ctx.cursor.get("pending", {}))
            return Paused(ctx.ref, code, ctx.answered(), len(ctx.items))
        if action == "summary":
            ctx.set_cursor(now, code=code, step="summary")
            return await _summary(ctx, now)
        if action == "skip" and not sub.skippable and not (ctx.answers.get(code) and ctx.answers[code].raw):
            raise ServiceError("not_skippable", code=code)
        if action in ("next", "skip"):
            try:
                return await _advance(ctx, code, now)
            except ToSummary:
                return await _summary(ctx, now)
        raise UnknownItem(code=code, action=action)


async def item_list(
    db: Database, actor: Actor, unit_id: int | None, period_id: int | None, page: int = 0, now: datetime | None = None
) -> ItemList:
    now = now or utcnow()
    async with assessment(db, actor, unit_id, period_id, now, write=False) as ctx:
        counts = await evidence_counts(ctx)
        rows = [(sub, ListRow(sub.code, sub.name, _mark(ctx, sub, counts))) for sub in ctx.items]
        pages = max(1, -(-len(rows) // LIST_PAGE))
        page = min(max(page, 0), pages - 1)
        groups: dict[str, list[ListRow]] = {}
        for sub, row in rows[page * LIST_PAGE : (page + 1) * LIST_PAGE]:
            groups.setdefault(ctx.framework.index(sub.index_code).name, []).append(row)
        current = ctx.cursor.get("code") if ctx.cursor.get("period") == ctx.period.id else None
        return ItemList(ctx.ref, tuple((k, tuple(v)) for k, v in groups.items()), current, page, pages)


def _mark(ctx: Ctx, sub: SubIndex, counts: dict[int, int]) -> str:
    answer = ctx.answers.get(sub.code)
    if answer is None or not answer.given:
        return MISSING
    if answer.status == "needs_supplement" or (sub.evidence.required and not counts.get(answer.id)):
        return PARTIAL
    return DONE


# -- the end ---------------------------------------------------------------------------------------
async def _summary(ctx: Ctx, now: datetime, notice: Notice | None = None, confirming: bool = False) -> Summary:
    counts = await evidence_counts(ctx)
    totals: dict[str, list[Decimal]] = {}
    unanswered, missing, sent_back = [], [], []
    for sub in ctx.items:
        answer = ctx.answers.get(sub.code)
        points, _ = await item_points(ctx, sub, answer) if answer else (None, False)
        line = totals.setdefault(sub.index_code, [Decimal(0), Decimal(0)])
        line[0] += points or 0
        line[1] += sub.max_points
        if answer is None or not answer.given:
            unanswered.append((sub.code, sub.name))
            continue
        if sub.evidence.required and not counts.get(answer.id):
            missing.append((sub.code, sub.name))
        if answer.status == "needs_supplement":
            sent_back.append((sub.code, sub.name))
    lines = tuple(
        IndexLine(i.code, i.name, totals[i.code][0], totals[i.code][1])
        for i in ctx.framework.indices
        if i.code in totals
    )
    answered = [a for a in ctx.answers.values() if a.given]
    submitted = bool(answered) and all(a.status in ("submitted", "accepted") for a in answered)
    return Summary(
        ctx.ref,
        lines,
        sum((x.points for x in lines), Decimal(0)),
        sum((x.max_points for x in lines), Decimal(0)),
        len(answered),
        len(ctx.items),
        tuple(unanswered),
        tuple(missing),
        tuple(sent_back),
        submitted,
        confirming,
        notice,
    )


async def summary(
    db: Database,
    actor: Actor,
    unit_id: int | None,
    period_id: int | None,
    confirming: bool = False,
    now: datetime | None = None,
) -> Summary:
    now = now or utcnow()
    async with assessment(db, actor, unit_id, period_id, now, write=False) as ctx:
        if confirming:
            ctx.writable()
        return await _summary(ctx, now, confirming=confirming)


async def submit(db: Database, actor: Actor, unit_id: int, period_id: int, now: datetime | None = None) -> Summary:
    """Submit every answered item (a sent-back item returns to the reviewers' queue)."""
    now = now or utcnow()
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        ctx.writable()
        count = 0
        for answer in ctx.answers.values():
            if answer.given and answer.status in ("draft", "needs_supplement"):
                old = snapshot(answer)
                answer.status = "submitted"
                await ctx.sql.run(
                    "UPDATE answer SET status = 'submitted', submitted_at = :at WHERE id = :id",
                    {"at": ctx.sql.instant(now), "id": answer.id},
                )
                await record_history(ctx.sql, answer, "submit", actor.person_id, now, old, snapshot(answer))
                count += 1
        if count == 0:
            raise ServiceError("nothing_to_submit")
        ctx.set_cursor(now, code=ctx.items[-1].code if ctx.items else None, step="summary")
        return await _summary(ctx, now, Notice("submitted", {"count": count}))
