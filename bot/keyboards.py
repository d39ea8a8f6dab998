"""Neutral screens → Telegram messages (aiogram glue only).

A screen is sent on almost every update, most with a keyboard of ten to twenty buttons. Building
them as aiogram's pydantic models (and validating each) cost more than the use case behind the
screen, so the method is built without validation (`model_construct`) and its keyboard is the
plain structure the Bot API reads: the screen is already well-formed, nothing is left to check.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import EditMessageText, SendMessage

from bot.render.screen import Screen

logger = logging.getLogger(__name__)


def markup(screen: Screen) -> dict[str, Any] | None:
    """The inline keyboard of a screen as the Bot API's JSON object, or None without buttons."""
    if not screen.rows:
        return None
    rows = [
        [{"text": b.text, "url": b.url} if b.url else {"text": b.text, "callback_data": b.action or ""} for b in row]
        for row in screen.rows
    ]
    return {"inline_keyboard": rows}


def send_method(chat_id: int, screen: Screen) -> SendMessage:
    return SendMessage.model_construct(
        chat_id=chat_id,
        text=screen.text,
        parse_mode="HTML",
        reply_markup=markup(screen),
        disable_web_page_preview=True,
    )


async def send(bot: Bot, chat_id: int, screen: Screen) -> int:
    message = await bot(send_method(chat_id, screen))
    return message.message_id


async def show(bot: Bot, chat_id: int, screen: Screen, message_id: int | None = None) -> None:
    """Replace the screen of a message (a button was pressed), or send a new one."""
    if message_id is not None:
        try:
            await bot(
                EditMessageText.model_construct(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=screen.text,
                    parse_mode="HTML",
                    reply_markup=markup(screen),
                    disable_web_page_preview=True,
                )
            )
            return
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return
            logger.info("could not edit message %s (%s); sending a new one", message_id, exc.message)
    await send(bot, chat_id, screen)
