"""A tap on a notice's button (a message the bot sent by itself through the outbox) opens its screen
as a new message: the notice keeps its text. The mark at the end of the button's data
(bot.keyboards.NOTICE_MARK) is taken off here, so handlers and filters read the action's data as
ever; while the tap is handled, `bot.keyboards.tapped_notice` names the notice and `show` sends
instead of editing it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject

from bot.keyboards import tapped_notice, unmarked


class NoticeTaps(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        plain, from_notice = unmarked(event.data)
        if not from_notice:
            return await handler(event, data)
        event = event.model_copy(update={"data": plain})
        message = event.message
        token = tapped_notice.set((message.chat.id, message.message_id) if message is not None else None)
        try:
            return await handler(event, data)
        finally:
            tapped_notice.reset(token)
