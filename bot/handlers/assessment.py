"""Buttons and typed answers of the guided self-assessment."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.filters import Pressed, Typed
from bot.handlers.common import reply
from bot.handlers.live_card import on_input, on_tap
from bot.handlers.questions import answer_question
from bot.i18n import _
from bot.keyboards import send
from bot.nlu import intent_of
from bot.render import actions
from bot.render.assessment.approval import leader_notice
from bot.render.assessment.cards import not_understood
from bot.render.assessment.receipt import receipt_file, receipt_message, receipt_summary
from bot.render.errors import invalid_answer
from bot.render.menu import unknown_input_screen
from bot.services.access import Actor
from bot.services.assessment import evidence
from bot.services.assessment import flow as assessment
from bot.services.assessment.receipt import submission_receipt
from bot.services.errors import ServiceError
from bot.settings import Settings
from scoring import InvalidAnswer
from storage.db import Database

logger = logging.getLogger(__name__)
router = Router(name="assessment")
# Most updates are these buttons: their router comes first in the tree (bot.handlers), ahead of
# routers they would only pass through. Their data prefixes are nobody else's.
buttons = Router(name="assessment-buttons")
VERBS = ("ans|", "nav|", "lst|", "evm|", "evd|", "doc|", "smy|", "sub|", "sbc|")  # sub: smy before its rename


@buttons.callback_query(Pressed(*VERBS))
async def assessment_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock, bot: Bot) -> None:
    """Carry out the pressed button (checked against the person's unit and the period), show the result."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    unit, period, code, arg, now = action.unit, action.period, action.code, action.arg, clock.now()
    try:
        if action.verb == "ans":
            kind, _sep, value = arg.partition(":")
            result = await assessment.answer_choice(db, actor, unit, period, code, kind, value, now=now)
        elif action.verb == "nav":
            result = await assessment.navigate(db, actor, unit, period, code, arg, now=now)
        elif action.verb == "lst":
            result = await assessment.item_list(db, actor, unit, period, int(arg or 0), now=now)
        elif action.verb == "evm":
            result = await assessment.open_item(db, actor, unit, period, code, step="evidence_manage", now=now)
        elif action.verb == "evd":
            result = await evidence.remove_evidence(db, actor, unit, period, code, int(arg or 0), now=now)
        elif action.verb == "doc":
            result = await evidence.start_document_ref(db, actor, unit, period, code, now=now)
        elif action.verb == "smy":
            result = await assessment.summary(db, actor, unit, period, confirming=arg == "confirm", now=now)
        else:
            result = await assessment.submit(db, actor, unit, period, now=now, notify_leaders=leader_notice)
    except InvalidAnswer as exc:
        raise ServiceError("unknown_item") from exc
    except assessment.InputRejected as exc:  # the reading chosen does not fit (e.g. a above b)
        await query.answer(invalid_answer(exc.error, exc.a_label, exc.b_label), show_alert=True)
        return
    except assessment.NothingBefore:
        await query.answer(_("This is the first item: there is nothing before it."))
        return
    await on_tap(query, result, db, actor, now)
    if action.verb == "sbc":  # submitted: the receipt, to every focal point of the unit
        await send_receipts(bot, db, actor, unit, period, now)


async def send_receipts(bot: Bot, db: Database, actor: Actor, unit: int, period: int, now: datetime) -> None:
    """Every focal point of the unit gets the receipt of the submission: inline when short, else
    as a text file with a short summary. One who cannot be reached does not stop the others."""
    receipt = await submission_receipt(db, actor, unit, period, now=now)
    inline = receipt_message(receipt)
    name, data = receipt_file(receipt)
    for chat_id in receipt.recipients:
        try:
            if inline is not None:
                await send(bot, chat_id, inline)
            else:
                caption = receipt_summary(receipt).text
                await bot.send_document(chat_id, BufferedInputFile(data, name), caption=caption, parse_mode="HTML")
        except TelegramAPIError as exc:  # blocked, deleted account…: the others still get theirs
            logger.info("could not send a submission receipt (%s)", type(exc).__name__)


@router.message(Typed(commands=False))
async def typed_answer(
    message: Message, actor: Actor, db: Database, settings: Settings, bot: Bot, clock: Clock
) -> None:
    """A number, two numbers a/b, part of a cited document, or a link — for the item that is open;
    a question in plain words gets its answer instead."""
    try:
        result = await assessment.answer_text(db, actor, message.text, now=clock.now())
    except (InvalidAnswer, ServiceError) as exc:
        intent = intent_of(message.text)
        if intent is not None:
            await answer_question(message, intent, actor, db, settings, bot, clock)
        elif isinstance(exc, assessment.InputRejected):
            await message.answer(invalid_answer(exc.error, exc.a_label, exc.b_label))
        elif isinstance(exc, InvalidAnswer):
            await message.answer(invalid_answer(exc))
        elif isinstance(exc, assessment.NotUnderstood):
            await message.answer(not_understood(message.text, exc.details.get("answers_by", "")))
        elif exc.reason in ("nothing_open", "no_period", "not_allowed"):
            await reply(message, unknown_input_screen(actor))  # not in an assessment: short help, never silence
        else:
            raise
        return
    await on_input(message, result, db, actor, clock.now())
