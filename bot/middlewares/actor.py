"""Strangers (no invitation used) get one polite answer and nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.i18n import _
from bot.keyboards import send
from bot.render.menu import stranger_screen


class ActorMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("event_from_user")
        if user is None or user.is_bot:
            return None
        actor = data.get("actor")  # loaded by the exactly-once middleware
        if actor is None and not _is_invitation(event):
            if isinstance(event, CallbackQuery):
                await event.answer(_("Only invited people can use this bot."), show_alert=True)
            elif isinstance(event, Message):
                await send(event.bot, event.chat.id, stranger_screen())
            return None
        return await handler(event, data)


def _is_invitation(event: TelegramObject) -> bool:
    return isinstance(event, Message) and bool(event.text) and event.text.startswith("/start")
