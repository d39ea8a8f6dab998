"""Answers shared by buttons and plain-word questions (not a router: the router modules that need
these import them from here, never from each other). A question gets the same answer as the
matching button, within the person's role (bot.services.permissions)."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.handlers.common import reply
from bot.render.assessment.cards import screen_for
from bot.render.campaign.progress import deadline_screen, progress_screen
from bot.render.menu import help_screen
from bot.render.results import charts
from bot.render.results.leader import overview_screen, rank_screen, weakest_screen
from bot.services.access import Actor
from bot.services.assessment import flow as assessment
from bot.services.campaign import progress
from bot.services.permissions import Action
from bot.services.results import leader as results
from bot.settings import Settings
from storage.db import Database


async def show_result(
    event: Message | CallbackQuery, what: str, actor: Actor, db: Database, settings: Settings, bot: Bot
) -> None:
    """Compute the unit's standing from stored data and show the asked part of it (the charts are
    drawn on worker threads)."""
    peers = settings.show_peer_names
    if what == "weakest":
        await reply(event, weakest_screen(await results.weakest(db, actor, show_peer_names=peers)))
        return
    view = await results.standing(db, actor, show_peer_names=peers)
    if what == "charts":
        chat = event.message.chat.id if isinstance(event, CallbackQuery) else event.chat.id
        if isinstance(event, CallbackQuery):
            await event.answer()
        by_index, ranking = await asyncio.gather(
            asyncio.to_thread(charts.index_chart, view), asyncio.to_thread(charts.ranking_chart, view)
        )
        await bot.send_photo(chat, BufferedInputFile(by_index, "diem-theo-chi-so.png"))
        await bot.send_photo(chat, BufferedInputFile(ranking, "xep-hang.png"))
        return
    await reply(event, overview_screen(view) if what == "overview" else rank_screen(view))


async def answer_question(
    message: Message, intent: str, actor: Actor, db: Database, settings: Settings, bot: Bot, clock: Clock
) -> None:
    """Route a recognised question to the use case its button uses."""
    unit = actor.unit
    if intent in ("rank", "weakest", "overview"):
        await show_result(message, intent, actor, db, settings, bot)
    elif intent == "progress" and actor.may(Action.VIEW_PROGRESS):
        await reply(message, progress_screen(await progress.progress_report(db, actor)))
    elif intent in ("progress", "assess") and unit is not None and actor.may(Action.ANSWER, unit.unit_id):
        result = (
            await assessment.summary(db, actor, None, None, now=clock.now())
            if intent == "progress"
            else await assessment.open_current(db, actor, now=clock.now())
        )
        await reply(message, screen_for(result))
    elif intent == "progress":
        await show_result(message, "overview", actor, db, settings, bot)
    elif intent == "deadline":
        await reply(message, deadline_screen(await progress.deadline_info(db, actor, clock.now())))
    else:
        await reply(message, help_screen(actor))
