"""Coordinators' broadcasts and reminder settings in the chat, and the leaders' weekly digest switch."""

from __future__ import annotations

from datetime import time

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.campaign_calendar import tomorrow_at
from bot.clock import Clock
from bot.filters import Pressed, Typed
from bot.handlers.common import reply
from bot.i18n import _
from bot.keyboards import send
from bot.render import actions
from bot.render.actions import menu
from bot.render.campaign import notices
from bot.render.campaign.reminder_policy import policy_screen
from bot.render.menu import menu_screen
from bot.render.screen import Screen
from bot.services.access import Actor
from bot.services.campaign import broadcasts, digest
from bot.services.campaign import reminder_policy as policy
from bot.services.errors import ServiceError
from storage.db import Database

router = Router(name="coordinator")


class WritingBroadcast(BaseFilter):
    """Text typed by a coordinator who is composing a broadcast."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        return actor is not None and await broadcasts.in_broadcast(db, actor)


@router.callback_query(Pressed(exact={menu("broadcast")}))
async def start_broadcast(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """Ask for the text of a new broadcast."""
    await broadcasts.begin(db, actor)
    await reply(query, notices.ask_broadcast_text())


@router.message(Typed(), WritingBroadcast())
async def broadcast_text(message: Message, actor: Actor, db: Database) -> None:
    """Keep the text, then ask who should receive it."""
    options = await broadcasts.take_text(db, actor, message.text)
    await reply(message, notices.choose_audience(options))


@router.callback_query(Pressed("bca|", "bcs|", "bcx|"))
async def broadcast_step(query: CallbackQuery, actor: Actor, db: Database, bot: Bot, clock: Clock) -> None:
    """Audience → preview with the number of recipients → send now or tomorrow at 08:00, or cancel."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    if action.verb == "bcx":
        await broadcasts.cancel(db, actor)
        await reply(query, menu_screen(actor))
    elif action.verb == "bca":
        await reply(query, notices.preview(await broadcasts.choose_audience(db, actor, action.arg)))
    else:
        now = clock.now()
        send_at = tomorrow_at(now, time(8, 0)) if action.arg == "tomorrow" else None
        created = await broadcasts.confirm(db, actor, notices.broadcast_message, send_at, now=now)
        await reply(query, Screen(notices.created(created)))
        report_id = await send(bot, query.message.chat.id, Screen(_("📊 Delivery report: starting…")))
        await broadcasts.attach_report(db, actor, created.id, query.message.chat.id, report_id)


@router.callback_query(Pressed(exact={menu("reminders")}))
async def show_reminder_policy(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """The reminder settings of the newest open period."""
    view = await policy.policy_view(db, actor, now=clock.now())
    await reply(query, policy_screen(view))


@router.callback_query(Pressed("rmp|"))
async def change_reminder_policy(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """One tap changes one setting (or shows another open period's settings)."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    if action.arg == "show":
        view = await policy.policy_view(db, actor, action.period, now=clock.now())
    else:
        view = await policy.change_policy(db, actor, action.period, action.arg, clock.now())
    await reply(query, policy_screen(view))


@router.callback_query(Pressed(exact={menu("digest")}))
async def switch_digest(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """Turn the Monday digest on or off."""
    enabled = await digest.toggle_digest(db, actor)
    await query.answer(
        _("Weekly digest: on (Mondays 08:00).") if enabled else _("Weekly digest: off."), show_alert=True
    )
