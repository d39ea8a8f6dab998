"""Every error a handler lets through, in one place: a refusal of a use case (`ServiceError`) is
answered in Vietnamese (an alert for a button, a message for a message); anything unexpected is logged
with an id (no personal data) and the person gets an apology quoting it. Handlers catch only what they
answer differently (e.g. a reading that does not fit the item)."""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot, Router
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from bot.render.errors import service_error
from bot.render.menu import apology
from bot.services.errors import ServiceError

logger = logging.getLogger(__name__)
router = Router(name="errors")


@router.errors(ExceptionTypeFilter(ServiceError))
async def refused(event: ErrorEvent) -> None:
    """A use case said no (not allowed, a stale button, a bad value): tell the person why."""
    update, text = event.update, service_error(event.exception)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None:
            await update.message.answer(text)
    except Exception:  # e.g. the button was already answered: nothing more to tell
        logger.info("could not answer the refusal %s in update %s", event.exception.reason, update.update_id)


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
