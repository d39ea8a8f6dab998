"""The guided self-assessment: one use case per action a focal point takes, one transaction each.

The cursor (which item, which step, half-given input) lives in the Conversation row, so a person
resumes exactly where they stopped — after hours, or after the bot process was killed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.campaign_calendar import local_date
from bot.services.access import Actor
from bot.services.assessment.answers import record_history, snapshot, write_answer
from bot.services.assessment.approval import SubmissionNotice, approval_status_in, submitted_in
from bot.services.assessment.context import (
    Ctx,
    UnknownItem,
    answer_notes,
    assessment,
    evidence_counts,
    item_points,
    lacks_evidence,
    readable,
    unit_result,
)
from bot.services.assessment.evidence import (
    add_citation,
    add_link,
    document_ref_step,
    looks_like_link,
    parse_citation,
)
from bot.services.assessment.explanations import EXPLAIN, explanation_step
from bot.services.assessment.items import ToSummary, item_view, open_at
from bot.services.assessment.views import (
    DONE,
    MISSING,
    PARTIAL,
    ExternalLine,
    IndexLine,
    ItemList,
    ItemView,
    ListRow,
    Notice,
    Paused,
    Summary,
)
from bot.services.errors import ServiceError
from bot.services.results.external_values import provider_of
from scoring import InvalidAnswer, SubIndex, parse_answer
from scoring.methods import External, read_yes_no
from scoring.numbers import normalize_typed, read_number, space_grouped
from scoring.states import AnswerStatus
from scoring.unit import NOT_APPLICABLE, UNANSWERED
from storage.db import Database
from storage.lean import statement

LIST_PAGE = 12
# Two numbers typed at once, a/b ("45/50", "1.234 trên 1.500"), read after `normalize_typed`.
_RATIO = re.compile(r"^([0-9.,]+)\s*(?:/|:|trên|tren|\s)\s*([0-9.,]+)$", re.IGNORECASE)
PICK, CONFIRM = "pick", "confirm"  # cursor steps: which reading of a number? / an unusual number: sure?
_CURSOR_OF = statement("SELECT cursor FROM conversation WHERE person_id = :person_id{for_update}")
_SET_CURSOR = statement("UPDATE conversation SET cursor = :cursor, updated_at = :at WHERE person_id = :person_id")
_SUBMIT = statement(f"UPDATE answer SET status = '{AnswerStatus.SUBMITTED}', submitted_at = :at WHERE id = :id")


class ExpectButton(ServiceError):
    """Text arrived where a button is expected."""

    reason = "expect_button"


class NothingOpen(ServiceError):
    reason = "nothing_open"


class NothingBefore(ServiceError):
    """The back button pressed on the first item: there is nothing before it (nothing moves)."""

    reason = "nothing_before"


class NotUnderstood(ServiceError):
    """Typed text that is neither an answer nor evidence for the open item; `answers_by` says what
    typing can answer here: number, yes_no or buttons."""

    reason = "not_understood"


class InputRejected(ServiceError):
    """Typed input that does not fit the open item, with the labels a message needs."""

    reason = "input_rejected"

    def __init__(self, error: InvalidAnswer, a_label: str = "a", b_label: str = "b") -> None:
        super().__init__()
        self.error, self.a_label, self.b_label = error, a_label, b_label

    @classmethod
    def of(cls, error: InvalidAnswer, sub: SubIndex) -> InputRejected:
        method = sub.method
        return cls(error, getattr(method, "a_label", "") or "a", getattr(method, "b_label", "") or "b")


class ChoiceExpired(ServiceError):
    """A reading or confirmation button that does not match what the item is asking now
    (pressed twice, after typing something else, or forged)."""

    reason = "choice_expired"


# -- reading ---------------------------------------------------------------------------------------
def _first_open_item(ctx: Ctx) -> str | None:
    for sub in ctx.items:
        answer = ctx.answers.get(sub.code)
        if answer is None or not answer.given or answer.status == "needs_supplement":
            return sub.code
    return None


async def open_current(db: Database, actor: Actor, unit_id: int | None = None, *, now: datetime) -> ItemView | Summary:
    """Resume where the person stopped; a first visit starts at the first unanswered item.
    The card opens with the campaign's header (`intro`): it is shown once, not on every card."""
    async with assessment(db, actor, unit_id, None, now) as ctx:
        cursor = ctx.cursor
        code = cursor.get("code") if cursor.get("period") == ctx.period.id else None
        if cursor.get("step") == "summary" and cursor.get("period") == ctx.period.id:
            return await _summary(ctx)
        if code is not None and any(s.code == code for s in ctx.items):
            return replace(await item_view(ctx, code), intro=True)
        code = _first_open_item(ctx)
        if code is None:
            return await _summary(ctx)
        return replace(await open_at(ctx, code, now), intro=True)


async def remember_card(db: Database, actor: Actor, message_id: int, *, now: datetime) -> None:
    """The person's live card is now this message (kept in their conversation cursor)."""
    async with db.lean(write=True) as sql:
        found = await sql.row(_CURSOR_OF, {"person_id": actor.person_id})
        if found is None:
            return  # no conversation yet: nothing has been opened to keep
        cursor = sql.read_json(found[0]) or {}
        if cursor.get("card") == message_id:
            return
        values = {"person_id": actor.person_id, "cursor": sql.json({**cursor, "card": message_id})}
        await sql.run(_SET_CURSOR, {**values, "at": sql.instant(now)})


async def open_item(
    db: Database,
    actor: Actor,
    unit_id: int,
    period_id: int,
    code: str,
    step: str = "answer",
    *,
    now: datetime,
) -> ItemView:
    """Open any item (from the list, a reminder or a reviewer's notice) at a step, showing its current value."""
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
    *,
    now: datetime,
) -> ItemView | Summary:
    """A button answer: y / n (yes-no), o:<option>, t:<criterion> (toggle), d (criteria done).
    A button of an old card answers that card's own item, and the result says so (`old_card`)."""
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        sub = ctx.item(code)
        ctx.writable(code)
        if ctx.elsewhere(code) and kind not in ("r", "k"):  # a reading or "sure?" is checked by _settle
            result = await _choice(ctx, sub, kind, value, now)
            return replace(result, old_card="acted") if isinstance(result, ItemView) else result
        return await _choice(ctx, sub, kind, value, now)


async def _choice(ctx: Ctx, sub: SubIndex, kind: str, value: str, now: datetime) -> ItemView | Summary:
    method, code = sub.method.kind, sub.code
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
        if kind in ("r", "k") and sub.method.number_fields():
            return await _settle(ctx, sub, kind, value, now)
    except ToSummary as done:
        return await _summary(ctx, done.notice)
    except InvalidAnswer as exc:
        raise InputRejected.of(exc, sub) from exc
    raise UnknownItem(code=code, kind=kind)


async def _settle(ctx: Ctx, sub: SubIndex, kind: str, value: str, now: datetime) -> ItemView:
    """A pressed reading ("r", value: its index) or confirmation ("k"): valid only for the question
    the cursor holds now, so a stale, repeated or forged button changes nothing."""
    cursor = ctx.cursor
    pending = cursor.get("pending") or {}
    if cursor.get("period") != ctx.period.id or cursor.get("code") != sub.code:
        raise ChoiceExpired(code=sub.code)
    if kind == "r" and cursor.get("step") == PICK:
        choices = pending.get("choices") or []
        if value not in ("0", "1") or int(value) >= len(choices):
            raise ChoiceExpired(code=sub.code)
        known = {**pending.get("known", {}), pending["pick"]: choices[int(value)]}
        return await _numbers(ctx, sub, known, pending.get("typed", {}), now)
    if kind == "k" and cursor.get("step") == CONFIRM and value == "" and isinstance(pending.get("raw"), dict):
        return await _record(ctx, sub, pending["raw"], now)
    raise ChoiceExpired(code=sub.code)


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


async def answer_text(db: Database, actor: Actor, text: str, *, now: datetime) -> ItemView | Summary:
    """Typed input for the item and step under the cursor (numbers, a/b, a cited document's parts, a link).

    Raises InvalidAnswer (with the cursor unchanged) for input that does not fit.
    """
    async with assessment(db, actor, None, None, now) as ctx:
        cursor = ctx.cursor
        if cursor.get("period") != ctx.period.id or not cursor.get("code") or cursor.get("step") == "summary":
            raise NothingOpen()
        sub = ctx.item(cursor["code"])
        step = cursor.get("step", "answer")
        ctx.writable(sub.code)
        pending = cursor.get("pending") or {}
        try:
            if step == EXPLAIN:  # the item's explanation ("giải trình")
                return await explanation_step(ctx, sub, text, now)
            # What the text is decides where it goes, whatever step the card is on: a link or a
            # cited document is evidence of the open item, a number (or yes / no) answers it.
            if looks_like_link(text):
                return await add_link(ctx, sub, text, now)
            citation = parse_citation(text, local_date(now))
            if citation is not None:
                return await add_citation(ctx, sub, citation, now)
            if step in ("doc_number", "doc_date", "doc_summary"):
                return await document_ref_step(ctx, sub, step, text, now)
            if step == "b" or (step == PICK and pending.get("pick") == "b"):  # b again, a is kept
                known = {"a": pending["a"]} if step == "b" else pending.get("known", {})
                return await _numbers(ctx, sub, known, {"b": text}, now)
            if step in ("answer", PICK, CONFIRM):  # typing instead of pressing: a fresh answer
                return await _typed_answer(ctx, sub, text, now)
            if step in ("evidence", "evidence_manage"):
                if _answers(sub, text):  # a number on the evidence step changes the answer
                    return await _typed_answer(ctx, sub, text, now)
                raise NotUnderstood(answers_by=answers_by(sub))
        except ToSummary as done:
            return await _summary(ctx, done.notice)
        except InvalidAnswer as exc:
            raise InputRejected.of(exc, sub) from exc
        raise ExpectButton()


def answers_by(sub: SubIndex) -> str:
    """What typing can answer on this item: number, yes_no, or buttons (options, criteria)."""
    if sub.method.number_fields():
        return "number"
    return "yes_no" if sub.method.kind == "yes_no" else "buttons"


def _answers(sub: SubIndex, text: str) -> bool:
    """Whether typed text is meant as the item's answer: digits on a number item, yes / no on a yes-no one."""
    how = answers_by(sub)
    if how == "number":
        return any(ch.isdigit() for ch in text)
    return how == "yes_no" and read_yes_no(text) is not None


async def _typed_answer(ctx: Ctx, sub: SubIndex, text: str, now: datetime) -> ItemView:
    kind = sub.method.kind
    if kind == "ratio":
        typed_text = normalize_typed(text)
        both = None if space_grouped(typed_text) else _RATIO.match(typed_text)  # "12 500" is one number
        typed = {"a": both.group(1), "b": both.group(2)} if both else {"a": text}
        return await _numbers(ctx, sub, {}, typed, now)
    if kind == "count_tiers":
        return await _numbers(ctx, sub, {}, {"count": text}, now)
    if kind == "minmax":
        return await _numbers(ctx, sub, {}, {"value": text}, now)
    if kind == "yes_no" and (yes := read_yes_no(text)) is not None:
        return await _record(ctx, sub, {"yes": yes}, now)
    raise ExpectButton()


async def _numbers(ctx: Ctx, sub: SubIndex, known: dict[str, str], typed: dict[str, str], now: datetime) -> ItemView:
    """Carry an item's typed numbers forward: read each the Vietnamese way (refusing what its field
    does not allow); ask which reading is meant when a text has two; ask for b while only a is
    known; ask "are you sure?" when a number is outside its plausible range; else record.

    `known` holds numbers already settled (machine text, "12.5"), `typed` the texts still to read."""
    fields = sub.method.number_fields()
    typed = dict(typed)
    while typed:
        key, text = next(iter(typed.items()))
        del typed[key]
        reading = read_number(text, fields[key], key)
        if reading.error is not None:
            raise reading.error
        if reading.ambiguous:
            choices = [format(v, "f") for v in reading.values]
            pending = {"known": known, "typed": typed, "pick": key, "text": text.strip(), "choices": choices}
            return await open_at(ctx, sub.code, now, step=PICK, pending=pending)
        known = {**known, key: format(reading.value, "f")}
    if "b" in fields and "b" not in known:
        return await open_at(ctx, sub.code, now, step="b", pending={"a": known["a"]})
    unusual = sub.method.implausible(parse_answer(sub, known))
    if unusual:
        return await open_at(ctx, sub.code, now, step=CONFIRM, pending={"raw": known, "unusual": list(unusual)})
    return await _record(ctx, sub, known, now)


# -- moving around ---------------------------------------------------------------------------------
async def navigate(
    db: Database, actor: Actor, unit_id: int, period_id: int, code: str, action: str, *, now: datetime
) -> ItemView | Summary | Paused:
    """next / back / skip / edit (answer again) / pause / summary; missing (a reminder's "Continue"):
    the unit's first item still to answer, or the summary when none is left."""
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        if action == "missing":
            first = _first_open_item(ctx)
            return await _summary(ctx) if first is None else await open_at(ctx, first, now)
        sub = ctx.item(code)
        position = ctx.position(code)
        stale = ctx.elsewhere(code)
        if action in _MOVES and stale:  # an old card's move would go from the wrong place: show where one is
            return await _where_now(ctx)
        if action == "back":
            if position == 0:
                raise NothingBefore(code=code)
            return await open_at(ctx, ctx.items[position - 1].code, now)
        if action == "edit":
            ctx.writable(code)
            view = await open_at(ctx, code, now)
            return replace(view, old_card="acted") if stale else view
        if action == "open":
            return await open_at(ctx, code, now)
        if action == "evidence":
            view = await open_at(ctx, code, now, step="evidence")
            return replace(view, old_card="acted") if stale else view
        if action == "pause":
            ctx.set_cursor(now, code=code, step=ctx.cursor.get("step", "answer"), pending=ctx.cursor.get("pending", {}))
            return Paused(ctx.ref, code, ctx.answered(), len(ctx.items))
        if action == "summary":
            ctx.set_cursor(now, code=code, step="summary")
            return await _summary(ctx)
        if action == "skip" and not sub.skippable and not (ctx.answers.get(code) and ctx.answers[code].raw):
            raise ServiceError("not_skippable", code=code)
        if action in ("next", "skip"):
            try:
                return await _advance(ctx, code, now)
            except ToSummary:
                return await _summary(ctx)
        raise UnknownItem(code=code, action=action)


_MOVES = frozenset(("back", "next", "skip", "pause", "summary"))


async def _where_now(ctx: Ctx) -> ItemView | Summary:
    """The current card, shown instead of what an old card's button asked (nothing changes)."""
    if ctx.cursor.get("step") == "summary":
        return replace(await _summary(ctx), old_card="refreshed")
    return replace(await item_view(ctx, ctx.cursor["code"]), old_card="refreshed")


async def item_list(
    db: Database, actor: Actor, unit_id: int | None, period_id: int | None, page: int = 0, *, now: datetime
) -> ItemList:
    """The focal point sees a page of the unit's items, each marked done, partial or missing."""
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
    if answer.status == "needs_supplement" or lacks_evidence(sub, answer, counts.get(answer.id, 0)):
        return PARTIAL
    return DONE


# -- the end ---------------------------------------------------------------------------------------
async def _summary(ctx: Ctx, notice: Notice | None = None, confirming: bool = False) -> Summary:
    counts = await evidence_counts(ctx)
    unanswered, missing, sent_back, unreadable = [], [], [], []
    for sub in ctx.items:
        answer = ctx.answers.get(sub.code)
        usable = readable(sub, answer)
        if answer is None or not answer.given:
            unanswered.append((sub.code, sub.name))
            continue
        if not usable:
            unreadable.append((sub.code, sub.name))
        if lacks_evidence(sub, answer, counts.get(answer.id, 0)):
            missing.append((sub.code, sub.name))
        if answer.status == "needs_supplement":
            sent_back.append((sub.code, sub.name))
    # The totals as the ranking, the export and the report count them (one rule: scoring.score_unit).
    result = await unit_result(ctx)
    lines = tuple(
        IndexLine(i.code, i.name, result.indices[i.code].points, result.indices[i.code].max_points)
        for i in ctx.framework.indices
        if result.indices[i.code].max_points > 0
    )
    notes = await answer_notes(ctx) if any(isinstance(s.method, External) for s in ctx.framework.sub_indices) else {}
    external = tuple(
        ExternalLine(
            sub.code,
            sub.name,
            None if result.subs[sub.code].status == UNANSWERED else result.subs[sub.code].points,
            sub.max_points,
            provider_of(sub, notes.get(sub.code, "")),
        )
        for sub in ctx.framework.sub_indices
        if isinstance(sub.method, External)
        and sub.code in result.subs
        and result.subs[sub.code].status != NOT_APPLICABLE
    )
    # the unit's own items only: an external value entered by a coordinator is not the unit's answer
    answered = [a for s in ctx.items if (a := ctx.answers.get(s.code)) is not None and a.given]
    submitted = bool(answered) and all(a.status in ("submitted", "accepted") for a in answered)
    return Summary(
        replace(ctx.ref, read_only=None) if ctx.ref.read_only and ctx.any_editable() else ctx.ref,
        lines,
        result.points,
        result.max_points,
        len(answered),
        len(ctx.items),
        tuple(unanswered),
        tuple(missing),
        tuple(sent_back),
        submitted,
        confirming,
        notice,
        tuple(unreadable),
        card=ctx.card,
        external=external,
        approval=await approval_status_in(ctx.sql, ctx.period.id, ctx.unit.id),
    )


async def summary(
    db: Database,
    actor: Actor,
    unit_id: int | None,
    period_id: int | None,
    confirming: bool = False,
    *,
    now: datetime,
) -> Summary:
    """The focal point sees the unit's progress and points so far (with `confirming`: asked to submit)."""
    async with assessment(db, actor, unit_id, period_id, now, write=False) as ctx:
        if confirming:
            ctx.writable_any()
        return await _summary(ctx, confirming=confirming)


async def submit(
    db: Database,
    actor: Actor,
    unit_id: int,
    period_id: int,
    *,
    now: datetime,
    notify_leaders: Callable[[SubmissionNotice], dict] | None = None,
) -> Summary:
    """Submit every answered item (a sent-back item returns to the reviewers' queue); after the
    deadline, only the sent-back items still open for a supplement. Where the period asks for the
    unit's approval, a self-assessment goes to the unit's leaders first (bot.services.assessment.approval;
    `notify_leaders` renders their message)."""
    async with assessment(db, actor, unit_id, period_id, now) as ctx:
        ctx.writable_any()
        count = 0
        for answer in ctx.answers.values():
            if (
                answer.given
                and answer.status in (AnswerStatus.DRAFT, AnswerStatus.NEEDS_SUPPLEMENT)
                and ctx.editable(answer.sub_index_code)[0]
            ):
                old = snapshot(answer)
                answer.status = AnswerStatus.SUBMITTED.value
                await ctx.sql.run(_SUBMIT, {"at": ctx.sql.instant(now), "id": answer.id})
                await record_history(ctx.sql, answer, "submit", actor.person_id, now, old, snapshot(answer))
                count += 1
        if count == 0:
            raise ServiceError("nothing_to_submit")
        ctx.set_cursor(now, code=ctx.items[-1].code if ctx.items else None, step="summary")
        unit, period = ctx.unit, ctx.period
        to_leader = await submitted_in(ctx.sql, actor, unit.id, unit.name, period.id, count, now, notify_leaders)
        return await _summary(ctx, Notice("submitted_to_leader" if to_leader else "submitted", {"count": count}))
