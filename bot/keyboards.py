"""Neutral screens → Telegram messages (aiogram glue only)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.screen import Screen

logger = logging.getLogger(__name__)


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.text, callback_data=b.action, url=b.url) for b in row] for row in screen.rows
        ]
    )


async def send(bot: Bot, chat_id: int, screen: Screen) -> int:
    message = await bot.send_message(
        chat_id, screen.text, parse_mode="HTML", reply_markup=markup(screen), disable_web_page_preview=True
    )
    return message.message_id


async def show(bot: Bot, chat_id: int, screen: Screen, message_id: int | None = None) -> None:
    """Replace the screen of a message (a button was pressed), or send a new one."""
    if message_id is not None:
        try:
            await bot.edit_message_text(
                screen.text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode="HTML",
                reply_markup=markup(screen),
                disable_web_page_preview=True,
            )
            return
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return
            logger.info("could not edit message %s (%s); sending a new one", message_id, exc.message)
    await send(bot, chat_id, screen)
