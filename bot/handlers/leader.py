"""Leaders: rank, weakest items, overview, and the two charts."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.filters import Pressed
from bot.handlers.common import answer_error, reply
from bot.render.actions import menu
from bot.render.results import charts
from bot.render.results.leader import overview_screen, rank_screen, weakest_screen
from bot.services.access import Actor
from bot.services.errors import ServiceError
from bot.services.results import leader as results
from bot.settings import Settings
from storage.db import Database

router = Router(name="leader")
BUTTONS = {menu("rank"): "rank", menu("weakest"): "weakest", menu("overview"): "overview", menu("charts"): "charts"}


async def show_result(
    event: Message | CallbackQuery, what: str, actor: Actor, db: Database, settings: Settings, bot: Bot
) -> None:
    """Compute the unit's standing from stored data and show the asked part of it."""
    peers = settings.show_peer_names
    try:
        if what == "weakest":
            await reply(event, weakest_screen(await results.weakest(db, actor, show_peer_names=peers)))
            return
        view = await results.standing(db, actor, show_peer_names=peers)
    except ServiceError as exc:
        await answer_error(event, exc)
        return
    if what == "charts":
        chat = event.message.chat.id if isinstance(event, CallbackQuery) else event.chat.id
        if isinstance(event, CallbackQuery):
            await event.answer()
        await bot.send_photo(chat, BufferedInputFile(charts.index_chart(view), "diem-theo-chi-so.png"))
        await bot.send_photo(chat, BufferedInputFile(charts.ranking_chart(view), "xep-hang.png"))
        return
    await reply(event, overview_screen(view) if what == "overview" else rank_screen(view))


@router.callback_query(Pressed(exact=set(BUTTONS)))
async def result_button(query: CallbackQuery, actor: Actor, db: Database, settings: Settings, bot: Bot) -> None:
    """Rank, weakest items, overview or charts of the person's unit."""
    await show_result(query, BUTTONS[query.data], actor, db, settings, bot)
