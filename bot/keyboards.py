"""Neutral screens → Telegram messages (aiogram glue only).

A screen is sent on almost every update, most with a keyboard of ten to twenty buttons. Building
them as aiogram's pydantic models (and validating each) cost more than the use case behind the
screen, so the method is built without validation (`model_construct`) and its keyboard is the
plain structure the Bot API reads: the screen is already well-formed, nothing is left to check.
Of the message Telegram sends back the bot reads only its id (`SentMessage`), not the whole message.

Notices — the messages the bot sends by itself through the outbox (reminders, results, appraisal
rounds) — must stay as they were: their buttons carry NOTICE_MARK at the end of their data, the
notice middleware (bot.middlewares.notices) takes it off before any handler sees the data and names
the notice's message here (`tapped_notice`), and `show` then sends the screen as a new message
instead of editing the notice.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, EditMessageReplyMarkup, EditMessageText, SendMessage
from pydantic import BaseModel, ConfigDict

from bot.render.screen import Screen
from bot.session import Keyboard, Prebuilt

logger = logging.getLogger(__name__)
NOTICE_MARK = "~"  # ends the data of a notice's button; never part of an action's data (bot.render.actions)
_DATA_LIMIT = 64  # bytes of callback data Telegram takes
# (chat id, message id) of the notice whose button is being handled, if the tap came from one
tapped_notice: ContextVar[tuple[int, int] | None] = ContextVar("tapped_notice", default=None)


def markup(screen: Screen, notice: bool = False) -> Keyboard | None:
    """The inline keyboard of a screen as the Bot API's JSON object, or None without buttons.
    `notice`: the buttons of a notice (their data marked, see the module's docstring)."""
    if not screen.rows:
        return None
    rows = [
        [
            {"text": b.text, "url": b.url}
            if b.url
            else {"text": b.text, "callback_data": notice_data(b.action or "") if notice else b.action or ""}
            for b in row
        ]
        for row in screen.rows
    ]
    return Keyboard(inline_keyboard=rows)


def notice_data(data: str) -> str:
    """A notice's button data: the action's data with NOTICE_MARK (unmarked if it would not fit)."""
    marked = data + NOTICE_MARK
    return marked if data and len(marked.encode()) <= _DATA_LIMIT else data


def unmarked(data: str | None) -> tuple[str | None, bool]:
    """The button data without NOTICE_MARK, and whether it came from a notice."""
    if data and data.endswith(NOTICE_MARK):
        return data[: -len(NOTICE_MARK)], True
    return data, False


class SentMessage(BaseModel):
    """What the bot reads of a message it sent: its id (the rest of Telegram's answer is ignored)."""

    model_config = ConfigDict(extra="ignore")
    message_id: int


class SendScreen(Prebuilt, SendMessage):
    __returning__ = SentMessage


class EditScreen(Prebuilt, EditMessageText):
    __returning__ = SentMessage | bool  # True when the edited message is an inline one


class Acknowledge(Prebuilt, AnswerCallbackQuery):
    pass


class StripButtons(Prebuilt, EditMessageReplyMarkup):
    __returning__ = SentMessage | bool


def send_method(chat_id: int, screen: Screen, notice: bool = False) -> SendMessage:
    """`notice`: a message the bot sends by itself (the outbox): a tap on its buttons never replaces it."""
    return SendScreen.model_construct(
        chat_id=chat_id,
        text=screen.text,
        parse_mode="HTML",
        reply_markup=markup(screen, notice),
        disable_web_page_preview=True,
    )


async def send(bot: Bot, chat_id: int, screen: Screen) -> int:
    message = await bot(send_method(chat_id, screen))
    return message.message_id


async def show(bot: Bot, chat_id: int, screen: Screen, message_id: int | None = None) -> int:
    """Replace the screen of a message (a button was pressed), or send a new one; the id of the
    message that shows the screen. A notice is never replaced: the screen its button opens comes
    as a new message below it."""
    if message_id is not None and tapped_notice.get() == (chat_id, message_id):
        message_id = None
    if message_id is not None:
        try:
            await bot(
                EditScreen.model_construct(
                    chat_id=chat_id,
                    message_id=message_id,
                    text=screen.text,
                    parse_mode="HTML",
                    reply_markup=markup(screen),
                    disable_web_page_preview=True,
                )
            )
            return message_id
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return message_id
            logger.info("could not edit message %s (%s); sending a new one", message_id, exc.message)
    return await send(bot, chat_id, screen)


async def acknowledge(bot: Bot, query_id: str, text: str = "") -> None:
    """Stop the pressed button's spinner (every callback query must be answered), with a short
    pop-up text if given."""
    if text:
        await bot(Acknowledge.model_construct(callback_query_id=query_id, text=text))
    else:
        await bot(Acknowledge.model_construct(callback_query_id=query_id))


async def strip_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the buttons off an old message (its text stays); one already without them, or gone, is left."""
    try:
        await bot(StripButtons.model_construct(chat_id=chat_id, message_id=message_id))
    except TelegramBadRequest as exc:
        logger.info("could not take the buttons off message %s (%s)", message_id, exc.message)
