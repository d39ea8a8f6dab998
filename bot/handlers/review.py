"""Reviewers and coordinators: the review queue and its decisions."""

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
from bot.render.appraisal.review import queue_empty, review_screen, sent_back_notice
from bot.services.access import Actor
from bot.services.appraisal import review
from bot.services.errors import ServiceError
from storage.db import Database
from storage.files import EvidenceStore

router = Router(name="review")


class ReviewInput(BaseFilter):
    """Text typed by a reviewer in the middle of a correction or a send-back."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        return actor is not None and await review.review_cursor(db, actor) is not None


@router.callback_query(Pressed("rvn|", "rva|", "rvc|", "rvs|", "rvf|", exact={menu("review")}))
async def review_button(
    query: CallbackQuery, actor: Actor, db: Database, store: EvidenceStore, bot: Bot, clock: Clock
) -> None:
    """Show the next item, or carry out a decision and show the next one."""
    action = actions.parse(query.data)
    try:
        if action is None or action.verb in ("mnu", "rvn"):
            item = await review.next_in_queue(db, actor)
        elif action.verb == "rva":
            item = await review.decide(db, actor, int(action.arg), "accept", now=clock.now())
        elif action.verb == "rvf":
            await _send_files(query, await review.open_review(db, actor, int(action.arg)), store, bot)
            return
        else:
            decision = "correct" if action.verb == "rvc" else "needs_supplement"
            item = await review.start_input(db, actor, int(action.arg), decision)
            await reply(query, review_screen(item, "points" if decision == "correct" else "comment"))
            return
    except ValueError as exc:  # not a number where the button carries one: forged
        raise ServiceError("unknown_item") from exc
    await reply(query, review_screen(item) if item else queue_empty())


@router.message(Typed(), ReviewInput())
async def review_text(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """Corrected points, the reason for a correction, or the comment for a send-back."""
    outcome, item = await review.typed_input(db, actor, message.text, sent_back_notice, now=clock.now())
    if outcome == "ask_reason":
        await reply(message, review_screen(item, "reason"))
        return
    await message.answer(_("✅ Decision recorded."))
    await reply(message, review_screen(item) if item else queue_empty())


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
