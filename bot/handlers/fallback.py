"""Last in the router tree: anything not understood gets a short help, never silence."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.handlers.common import reply
from bot.handlers.questions import answer_question
from bot.i18n import _
from bot.nlu import intent_of
from bot.render.menu import unknown_input_screen
from bot.services.access import Actor
from bot.settings import Settings
from storage.db import Database

router = Router(name="fallback")


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    """Refuse button data the bot does not know (old or forged), without any effect."""
    await query.answer(_("This button is no longer valid. Open the menu with /menu."), show_alert=True)


@router.message()
async def unknown_input(
    message: Message, actor: Actor, db: Database, settings: Settings, bot: Bot, clock: Clock
) -> None:
    """A question in plain words gets its answer; anything else (stickers, voice, unknown commands)
    a short list of what this person can type or tap."""
    intent = intent_of(message.text) if message.text and not message.text.startswith("/") else None
    if intent is not None:
        await answer_question(message, intent, actor, db, settings, bot, clock)
        return
    await reply(message, unknown_input_screen(actor))
