"""Leaders' answers shared by buttons (bot.handlers.leader) and plain-word questions
(bot.handlers.questions) — not a router: the charts as photos with captions, the year-on-year
comparison, and the what-if on an item. Each is one use-case call and a rendered screen or photo;
the charts are drawn on worker threads."""

from __future__ import annotations

import asyncio
from datetime import date

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.campaign_calendar import local_date
from bot.clock import Clock
from bot.handlers.common import reply
from bot.render.results import charts
from bot.render.results.leader import (
    index_chart_caption,
    ranking_chart_caption,
    result_buttons,
    what_if_menu_screen,
    what_if_screen,
    year_over_year_caption,
    year_over_year_missing_screen,
)
from bot.render.screen import Button
from bot.services.access import Actor
from bot.services.results import leader as results
from bot.settings import Settings
from storage.db import Database


def _today(clock: Clock | None) -> date | None:
    """The campaign's date for the captions (None without a clock: the captions leave it out)."""
    return local_date(clock.now()) if clock is not None else None


def _chat(event: Message | CallbackQuery) -> int:
    if isinstance(event, CallbackQuery):
        assert event.message is not None
        return event.message.chat.id
    return event.chat.id


def _keyboard(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=b.text, callback_data=b.action) for b in row] for row in buttons]
    )


async def send_charts(
    event: Message | CallbackQuery,
    actor: Actor,
    db: Database,
    settings: Settings,
    bot: Bot,
    clock: Clock | None = None,
    unit_id: int | None = None,
) -> None:
    """The unit's points per index and the top of its cohort's ranking, as two captioned photos;
    the second carries the results' buttons, so the chat does not end on a picture."""
    view = await results.standing(db, actor, show_peer_names=settings.show_peer_names, unit_id=unit_id)
    if isinstance(event, CallbackQuery):
        await event.answer()
    today = _today(clock)
    by_index, ranking = await asyncio.gather(
        asyncio.to_thread(charts.index_chart, view, today=today),
        asyncio.to_thread(charts.ranking_chart, view, today=today),
    )
    chat = _chat(event)
    await bot.send_photo(
        chat,
        BufferedInputFile(by_index, "diem-theo-chi-so.png"),
        caption=index_chart_caption(view, today),
        parse_mode="HTML",
    )
    await bot.send_photo(
        chat,
        BufferedInputFile(ranking, "xep-hang.png"),
        caption=ranking_chart_caption(view, today, charts.TOP),
        parse_mode="HTML",
        reply_markup=_keyboard(result_buttons()),
    )


async def show_year_over_year(
    event: Message | CallbackQuery,
    actor: Actor,
    db: Database,
    bot: Bot,
    clock: Clock | None = None,
    *,
    unit_id: int | None = None,
) -> None:
    """This year against the previous period ("so với năm ngoái"): a captioned chart with the
    results' buttons, or plainly why there is nothing to compare with."""
    view = await results.year_over_year(db, actor, unit_id=unit_id)
    if view.missing:
        await reply(event, year_over_year_missing_screen(view))
        return
    if isinstance(event, CallbackQuery):
        await event.answer()
    today = _today(clock)
    png = await asyncio.to_thread(charts.year_over_year_chart, view, today=today)
    await bot.send_photo(
        _chat(event),
        BufferedInputFile(png, "so-voi-nam-truoc.png"),
        caption=year_over_year_caption(view, today),
        parse_mode="HTML",
        reply_markup=_keyboard(result_buttons()),
    )


async def show_what_if(
    event: Message | CallbackQuery,
    code: str | None,
    actor: Actor,
    db: Database,
    *,
    period_id: int | None = None,
    unit_id: int | None = None,
) -> None:
    """What if the item `code` earned its maximum ("nếu 6.2 đạt tối đa thì sao"); without a code,
    the choices to pick it from (the items losing the most first)."""
    if code:
        await reply(event, what_if_screen(await results.what_if(db, actor, period_id, unit_id, code)))
    else:
        await show_what_if_choices(event, actor, db, period_id=period_id, unit_id=unit_id)


async def show_what_if_choices(
    event: Message | CallbackQuery,
    actor: Actor,
    db: Database,
    index_code: str | None = None,
    *,
    period_id: int | None = None,
    unit_id: int | None = None,
) -> None:
    choices = await results.what_if_menu(db, actor, period_id, unit_id, index_code)
    await reply(event, what_if_menu_screen(choices))
