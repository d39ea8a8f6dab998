"""Last in the router tree: anything not understood gets a short help, never silence."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.handlers.common import reply
from bot.i18n import _
from bot.render.menu import unknown_input_screen

router = Router(name="fallback")


@router.callback_query()
async def stale_button(query: CallbackQuery) -> None:
    """Refuse button data the bot does not know (old or forged), without any effect."""
    await query.answer(_("This button is no longer valid. Open the menu with /menu."), show_alert=True)


@router.message()
async def unknown_input(message: Message) -> None:
    """Stickers, voice, unknown commands…: a short list of what can be done."""
    await reply(message, unknown_input_screen())
