"""Leaders: rank, weakest items, overview, and the two charts."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from bot.filters import Pressed
from bot.handlers.questions import show_result
from bot.render.actions import menu
from bot.services.access import Actor
from bot.settings import Settings
from storage.db import Database

router = Router(name="leader")
BUTTONS = {menu("rank"): "rank", menu("weakest"): "weakest", menu("overview"): "overview", menu("charts"): "charts"}


@router.callback_query(Pressed(exact=set(BUTTONS)))
async def result_button(query: CallbackQuery, actor: Actor, db: Database, settings: Settings, bot: Bot) -> None:
    """Rank, weakest items, overview or charts of the person's unit."""
    await show_result(query, BUTTONS[query.data], actor, db, settings, bot)
