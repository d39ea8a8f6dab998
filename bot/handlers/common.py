"""Small helpers shared by handlers: reply with a screen. (Refusals of use cases are answered in one
place, bot.handlers.errors.)"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.keyboards import acknowledge, send, show
from bot.render.screen import Screen


async def reply(event: Message | CallbackQuery, screen: Screen) -> None:
    """A pressed button edits its own message; a typed message gets a new one."""
    if isinstance(event, CallbackQuery):
        await acknowledge(event.bot, event.id)
        if event.message is not None:
            await show(event.bot, event.message.chat.id, screen, event.message.message_id)
    else:
        await send(event.bot, event.chat.id, screen)
