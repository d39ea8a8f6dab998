"""The buttons of an item's explanation ("giải trình"): ask for it, or remove it. The text itself
arrives as a typed message while the item asks for it (bot.handlers.assessment → answer_text)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.clock import Clock
from bot.filters import Pressed
from bot.handlers.common import reply
from bot.render import actions
from bot.render.assessment.cards import screen_for
from bot.services.access import Actor
from bot.services.assessment import explanations
from bot.services.errors import ServiceError
from storage.db import Database

buttons = Router(name="explanation-buttons")


@buttons.callback_query(Pressed("exp|", "exr|"))
async def explanation_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """📝: the item asks for its explanation; 🗑: the explanation is removed."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    unit, period, code, now = action.unit, action.period, action.code, clock.now()
    if action.verb == "exp":
        result = await explanations.start_explanation(db, actor, unit, period, code, now=now)
    else:
        result = await explanations.remove_explanation(db, actor, unit, period, code, now=now)
    await reply(query, screen_for(result))
