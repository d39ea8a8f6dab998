"""Answers shared by buttons and plain-word questions (not a router: the router modules that need
these import them from here, never from each other). A question gets the same answer as the
matching button, within the person's role (bot.services.permissions)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.handlers.common import reply
from bot.handlers.leader_replies import send_charts, show_what_if, show_year_over_year
from bot.handlers.live_card import show_card
from bot.nlu import item_code_in
from bot.render.campaign.progress import deadline_screen, progress_screen
from bot.render.help import help_screen, may_here, no_unit_results_screen, not_a_focal_point_screen
from bot.render.menu import units_screen
from bot.render.results.leader import overview_screen, rank_screen, weakest_screen
from bot.services.access import Actor
from bot.services.assessment import flow as assessment
from bot.services.campaign import progress
from bot.services.campaign.glance import glance
from bot.services.permissions import Action
from bot.services.results import leader as results
from bot.settings import Settings
from storage.db import Database


async def show_result(
    event: Message | CallbackQuery,
    what: str,
    actor: Actor,
    db: Database,
    settings: Settings,
    bot: Bot,
    clock: Clock | None = None,
) -> None:
    """Compute the unit's standing from stored data and show the asked part of it (the charts are
    drawn on worker threads)."""
    peers = settings.show_peer_names
    now = clock.now() if clock is not None else None  # the phase's sentence needs the day
    if what == "weakest":
        await reply(event, weakest_screen(await results.weakest(db, actor, show_peer_names=peers, now=now)))
        return
    if what == "charts":
        await send_charts(event, actor, db, settings, bot, clock)
        return
    view = await results.standing(db, actor, show_peer_names=peers, now=now)
    await reply(event, overview_screen(view) if what == "overview" else rank_screen(view))


# plain-word questions about the unit's results -> the screen of the button that shows it
RESULT_QUESTIONS = {
    "rank": "rank",
    "points": "rank",  # the ranking screen leads with the points
    "top": "rank",  # and names the cohort's leader
    "compare": "compare",
    "weakest": "weakest",
    "overview": "overview",
    "charts": "charts",
    "what_if": "what_if",
}


async def answer_question(
    message: Message, intent: str, actor: Actor, db: Database, settings: Settings, bot: Bot, clock: Clock
) -> None:
    """Route a recognised question to the use case its button uses; a question outside the person's
    roles gets what they can do instead, never a bare refusal."""
    unit = actor.unit
    if intent in RESULT_QUESTIONS:
        if not may_here(actor, Action.VIEW_RESULTS):
            await reply(message, units_screen(actor) if actor.needs_unit_choice else no_unit_results_screen(actor))
        elif intent == "what_if":
            await show_what_if(message, item_code_in(message.text or ""), actor, db)
        elif intent == "compare":
            await show_year_over_year(message, actor, db, bot, clock)
        else:
            await show_result(message, RESULT_QUESTIONS[intent], actor, db, settings, bot, clock)
    elif intent == "progress" and actor.may(Action.VIEW_PROGRESS):
        await reply(message, progress_screen(await progress.progress_report(db, actor)))
    elif intent in ("progress", "assess") and unit is not None and actor.may(Action.ANSWER, unit.unit_id):
        result = (
            await assessment.summary(db, actor, None, None, now=clock.now())
            if intent == "progress"
            else await assessment.open_current(db, actor, now=clock.now())
        )
        await show_card(message, result, db, actor, clock.now())  # the person's one live card
    elif actor.needs_unit_choice and intent in ("progress", "assess"):
        await reply(message, units_screen(actor))
    elif intent == "assess":
        await reply(message, not_a_focal_point_screen(actor, await glance(db, actor, clock.now())))
    elif intent == "progress" and may_here(actor, Action.VIEW_RESULTS):
        await show_result(message, "overview", actor, db, settings, bot, clock)
    elif intent == "deadline" and actor.may(Action.DEADLINE):
        await reply(message, deadline_screen(await progress.deadline_info(db, actor, clock.now())))
    else:
        await reply(message, help_screen(actor))
