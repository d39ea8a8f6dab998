"""Appraisers, the council chair and the coordinators' assignment of appraisers: the queue of one's
domain, a unit's items together, decisions, the grouped results sent to a unit, the council's
progress and the close of the appraisal."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.filters import Pressed, Typed
from bot.handlers.common import reply
from bot.i18n import _
from bot.render import actions
from bot.render.actions import menu
from bot.render.appraisal.council import (
    appraisers_screen,
    close_question,
    council_screen,
    editing_screen,
    saved_notice,
)
from bot.render.appraisal.notices import round_notice
from bot.render.appraisal.review import batch_question, queue_empty, queue_start, review_screen, unit_screen
from bot.render.campaign.phases import moved_notice, results_notice
from bot.render.screen import Screen
from bot.services.access import Actor
from bot.services.appraisal import council, domain, notices, review
from bot.services.errors import ServiceError
from storage.db import Database
from storage.files import EvidenceStore

router = Router(name="review")

_REVIEW = ("rvn|", "rva|", "rvc|", "rvs|", "rvf|", "rvk|", "rvr|", "rvu|", "rvo|", "rvb|", "rvm|")


class ReviewInput(BaseFilter):
    """Text typed by an appraiser in the middle of a correction or a send-back."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        return actor is not None and await review.review_cursor(db, actor) is not None


def _shown(next_: review.Next) -> Screen:
    if isinstance(next_, review.ReviewItem):
        return review_screen(next_)
    if next_.unit is not None:
        return unit_screen(next_.unit)
    return queue_empty(next_.skipped)


@router.callback_query(Pressed(*_REVIEW, exact={menu("review")}))
async def review_button(
    query: CallbackQuery, actor: Actor, db: Database, store: EvidenceStore, bot: Bot, clock: Clock
) -> None:
    """The queue's start, a unit's items, an item, or a decision and what comes next."""
    action = actions.parse(query.data)
    if action is None or action.verb == "mnu":
        await reply(query, queue_start(await review.queue_overview(db, actor)))
        return
    verb, unit = action.verb, action.unit
    scoped = unit or None
    try:
        answer = int(action.arg) if verb in ("rva", "rvc", "rvs", "rvf", "rvk", "rvo") else 0
    except ValueError as exc:  # not a number where the button carries one: forged
        raise ServiceError("unknown_item") from exc
    if verb == "rvu":
        screen = unit_screen(await review.unit_review(db, actor, unit))
    elif verb == "rvb" and action.arg == "ask":
        screen = batch_question(await review.ask_batch(db, actor, unit))
    elif verb == "rvb":
        count, view = await review.accept_batch(db, actor, unit, now=clock.now())
        screen = unit_screen(view, accepted=count)
    elif verb == "rvm":
        sent = await notices.send_to_unit(db, actor, unit, round_notice, now=clock.now())
        screen = unit_screen(await review.unit_review(db, actor, unit), sent=sent)
    elif verb == "rvf":
        await _send_files(query, await review.open_review(db, actor, answer, scoped), store, bot)
        return
    elif verb in ("rvc", "rvs"):
        decision = "correct" if verb == "rvc" else "needs_supplement"
        item = await review.start_input(db, actor, answer, decision, scoped)
        screen = review_screen(item, "points" if decision == "correct" else "comment")
    elif verb == "rvo":
        screen = review_screen(await review.open_review(db, actor, answer, scoped))
    elif verb == "rvk":
        screen = _shown(await review.skip(db, actor, answer, scoped))
    elif verb == "rvr":
        screen = _shown(await review.review_again(db, actor, scoped))
    elif verb == "rva":
        screen = _shown(await review.decide(db, actor, answer, "accept", now=clock.now(), unit_id=scoped))
    else:
        screen = _shown(await review.next_in_queue(db, actor, scoped))
    await reply(query, screen)


@router.message(Typed(commands=False), ReviewInput())
async def review_text(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """Corrected points, the reason for a correction, or the comment for a send-back."""
    outcome, item = await review.typed_input(db, actor, message.text, now=clock.now())
    if outcome == "ask_reason":
        await reply(message, review_screen(item, "reason"))
        return
    await message.answer(_("✅ Decision recorded."))
    await reply(message, _shown(item))


async def _send_files(query: CallbackQuery, item: review.ReviewItem, store: EvidenceStore, bot: Bot) -> None:
    """The item's evidence files, each read from the store on a worker thread."""
    await query.answer()
    for evidence in item.evidence:
        if not evidence.content_key:
            continue
        data = await asyncio.to_thread(store.read, evidence.content_key)
        upload = BufferedInputFile(data, evidence.file_name or "tai-lieu")
        if evidence.kind == "photo":
            await bot.send_photo(query.message.chat.id, upload, caption=f"{item.sub.code} · {item.unit_name}")
        else:
            await bot.send_document(query.message.chat.id, upload, caption=f"{item.sub.code} · {item.unit_name}")


@router.callback_query(Pressed("cnl|", exact={menu("council")}))
async def council_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """The council chair: progress per appraiser and per unit; closing the appraisal (confirmed)."""
    action = actions.parse(query.data)
    if action is None or action.verb == "mnu":
        screen = council_screen(await council.council_view(db, actor))
    elif action.arg == "ask":
        screen = close_question(await council.council_view(db, actor, action.period, now=clock.now()))
    elif action.arg == "ok":
        moved = await council.close_appraisal(db, actor, action.period, now=clock.now(), render=results_notice)
        screen = council_screen(await council.council_view(db, actor, action.period), moved_notice(moved))
    else:
        raise ServiceError("unknown_item")
    await reply(query, screen)


@router.callback_query(Pressed("asg|", "ast|", "aso|", "asc|", "asv|", exact={menu("appraisers")}))
async def appraisers_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """Coordinators assign appraisers: pick one, choose a cohort, tick indices or an index's
    sub-indices, save."""
    action = actions.parse(query.data)
    try:
        # the main menu's button carries arg "appraisers", not a person: only asg/ast/aso/asc/asv name one
        named = action is not None and action.verb != "mnu" and action.arg
        person = int(action.arg.removeprefix("p")) if named else 0
    except ValueError as exc:
        raise ServiceError("unknown_item") from exc
    if action is None or action.verb == "mnu" or (action.verb == "asg" and not person):
        period, people = await domain.appraisers(db, actor, (action.period or None) if action else None)
        screen = appraisers_screen(period.title, people, period.id)
    elif action.verb == "asg":
        screen = editing_screen(await domain.start_editing(db, actor, person, now=clock.now()))
    elif action.verb == "ast":
        screen = editing_screen(await domain.toggle(db, actor, person, action.code, now=clock.now()))
    elif action.verb == "aso":
        screen = editing_screen(await domain.open_index(db, actor, person, action.code, now=clock.now()))
    elif action.verb == "asc":
        screen = editing_screen(await domain.choose_cohort(db, actor, person, action.code, now=clock.now()))
    else:
        saved = await domain.save_editing(db, actor, person, now=clock.now())
        period, people = await domain.appraisers(db, actor, saved.period_id)
        screen = appraisers_screen(period.title, people, period.id, saved_notice(saved))
    await reply(query, screen)
