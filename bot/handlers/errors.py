"""Unexpected errors: logged with an id (no personal data), the person gets an apology quoting it."""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot, Router
from aiogram.types import ErrorEvent

from bot.render.menu import apology

logger = logging.getLogger(__name__)
router = Router(name="errors")


@router.errors()
async def unexpected_error(event: ErrorEvent, bot: Bot) -> None:
    """Log the failure under a short id and apologise to the person in Vietnamese."""
    error_id = secrets.token_hex(3).upper()
    update = event.update
    logger.error(
        "unhandled error %s in update %s: %s",
        error_id,
        update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None and update.callback_query.message is not None:
        chat_id = update.callback_query.message.chat.id
    if chat_id is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await bot.send_message(chat_id, apology(error_id))
    except Exception:  # the apology itself failed: already logged above
        logger.warning("could not send the apology for error %s", error_id)
