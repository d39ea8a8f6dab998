"""Coordinators enter the figures other agencies provide (external items), one unit after another."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.filters import Pressed, Typed
from bot.handlers.common import reply
from bot.render import actions
from bot.render.actions import menu
from bot.render.errors import invalid_answer
from bot.render.results.external_values import item_screen, overview_screen, stopped_screen
from bot.services.access import Actor
from bot.services.errors import ServiceError
from bot.services.results import external_values
from scoring import InvalidAnswer
from storage.db import Database

router = Router(name="values")


class TypingFigures(BaseFilter):
    """Text typed by a coordinator who is asked for a unit's figure."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        if actor is None or (message.text or "").startswith("/"):
            return False
        state = await external_values.values_cursor(db, actor)
        return bool(state) and state.get("unit") is not None


@router.callback_query(Pressed("xvl|", "xvs|", "xvx|", exact={menu("values")}))
async def values_button(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """The external items; one item's units and figures (a page, or a unit tapped to change); skip; stop."""
    action = actions.parse(query.data)
    if action is None or action.verb == "mnu" or (action.verb == "xvl" and not action.code):
        period = action.period if action is not None and action.period else None
        await reply(query, overview_screen(await external_values.external_items(db, actor, period)))
        return
    if action.verb == "xvx":
        await external_values.stop(db, actor)
        await reply(query, stopped_screen())
        return
    if action.verb == "xvs":
        await reply(query, item_screen(await external_values.skip_unit(db, actor)))
        return
    page, unit = 0, None
    try:
        if action.arg.startswith("p"):
            page = int(action.arg[1:])
        elif action.arg.startswith("u"):
            unit = int(action.arg[1:])
    except ValueError as exc:  # forged
        raise ServiceError("unknown_item") from exc
    view = await external_values.open_item(db, actor, action.period, action.code, page, unit)
    await reply(query, item_screen(view))


@router.message(Typed(commands=False), TypingFigures())
async def typed_figure(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """The figure of the unit asked for ("0,85" or "0,85; source"): saved, the next unit is asked."""
    try:
        view = await external_values.type_value(db, actor, message.text, now=clock.now())
    except InvalidAnswer as exc:
        await message.answer(invalid_answer(exc))
        return
    await reply(message, item_screen(view))
