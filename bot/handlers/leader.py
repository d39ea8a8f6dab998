"""Leaders: rank, weakest items, overview, the charts, year on year, and what-if on an item."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery

from bot.clock import Clock
from bot.filters import Pressed
from bot.handlers.leader_replies import send_charts, show_what_if, show_what_if_choices, show_year_over_year
from bot.handlers.questions import show_result
from bot.render import actions
from bot.render.actions import menu
from bot.services.access import Actor
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.db import Database

router = Router(name="leader")
BUTTONS = {menu("rank"): "rank", menu("weakest"): "weakest", menu("overview"): "overview"}
PICTURES = {menu("charts"): "charts", menu("compare"): "compare", menu("whatif"): "whatif"}


@router.callback_query(Pressed(exact=set(BUTTONS)))
async def result_button(
    query: CallbackQuery, actor: Actor, db: Database, settings: Settings, bot: Bot, clock: Clock
) -> None:
    """Rank, weakest items or overview of the person's unit."""
    await show_result(query, BUTTONS[query.data], actor, db, settings, bot, clock)


@router.callback_query(Pressed(exact=set(PICTURES)))
async def glance_button(
    query: CallbackQuery, actor: Actor, db: Database, settings: Settings, bot: Bot, clock: Clock
) -> None:
    """The charts, this year against the previous period, or the what-if's choices."""
    what = PICTURES[query.data]
    if what == "charts":
        await send_charts(query, actor, db, settings, bot, clock)
    elif what == "compare":
        await show_year_over_year(query, actor, db, bot, clock)
    else:
        await show_what_if_choices(query, actor, db)


@router.callback_query(Pressed("wif|"))
async def what_if_button(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """What-if: pick an index, then an item; the item's button shows the unit if it earned its
    maximum. The button names its unit and period; the use case checks both."""
    action = actions.parse(query.data)
    if action is None:  # not what the bot sends (forged or from an old version): say so
        raise ServiceError("unknown_item")
    where = {"period_id": action.period or None, "unit_id": action.unit or None}
    if action.code and action.arg == "s":
        await show_what_if(query, action.code, actor, db, **where)
    else:
        await show_what_if_choices(query, actor, db, action.code if action.arg == "i" else None, **where)
