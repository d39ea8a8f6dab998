"""Coordinators' broadcasts (now or scheduled, cancellable), the progress pages with "🔔 Remind" per late
unit, reminder settings in the chat, and the leaders' weekly digest switch."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.campaign_calendar import tomorrow_at
from bot.clock import Clock
from bot.filters import Pressed, Typed
from bot.handlers.common import reply
from bot.i18n import _
from bot.keyboards import send, show
from bot.render import actions
from bot.render.actions import menu
from bot.render.campaign import notices
from bot.render.campaign.progress import progress_screen
from bot.render.campaign.reminder_policy import policy_screen
from bot.render.menu import menu_screen
from bot.services.access import Actor
from bot.services.campaign import broadcasts, digest, progress, reminders
from bot.services.campaign import reminder_policy as policy
from bot.services.errors import ServiceError
from storage.db import Database

router = Router(name="coordinator")


class WritingBroadcast(BaseFilter):
    """Text typed by a coordinator who is composing a broadcast."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        return actor is not None and await broadcasts.in_broadcast(db, actor)


@router.callback_query(Pressed(exact={menu("broadcast")}))
async def start_broadcast(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """Ask for the text of a new broadcast; show the scheduled ones, each with its cancel button."""
    waiting = await broadcasts.begin(db, actor, now=clock.now())
    await reply(query, notices.ask_broadcast_text(waiting))


@router.message(Typed(commands=False), WritingBroadcast())
async def broadcast_text(message: Message, actor: Actor, db: Database, bot: Bot, clock: Clock) -> None:
    """The text, then ask who should receive it; or, after "🗓 Another time", the time to send it at."""
    result = await broadcasts.typed(db, actor, message.text, notices.broadcast_message, now=clock.now())
    if isinstance(result, broadcasts.Created):
        await _queued(message, actor, db, bot, result)
    else:
        await reply(message, notices.choose_audience(result))


async def _queued(
    event: Message | CallbackQuery, actor: Actor, db: Database, bot: Bot, created: broadcasts.Created
) -> None:
    """Say the broadcast is queued (a scheduled one with its cancel button), then start its delivery report."""
    await reply(event, notices.created(created))
    chat_id = event.chat.id if isinstance(event, Message) else event.message.chat.id
    report_id = await send(bot, chat_id, notices.report_starting())
    await broadcasts.attach_report(db, actor, created.id, chat_id, report_id)


@router.callback_query(Pressed("bca|", "bcs|", "bcx|", "bcw|", "bcu|"))
async def broadcast_step(query: CallbackQuery, actor: Actor, db: Database, bot: Bot, clock: Clock) -> None:
    """Audience → preview with the number of recipients → send now, at 08:00 (today or tomorrow) or
    at a typed time, or cancel; a scheduled broadcast can be cancelled until it goes."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    now = clock.now()
    if action.verb == "bcx":
        await broadcasts.cancel(db, actor)
        await reply(query, menu_screen(actor))
    elif action.verb == "bca":
        await reply(query, notices.preview(await broadcasts.choose_audience(db, actor, action.arg, now=now)))
    elif action.verb == "bcw":
        await broadcasts.ask_time(db, actor)
        await reply(query, notices.ask_send_time(tomorrow_at(now, broadcasts.MORNING)))
    elif action.verb == "bcu":
        if not action.arg:
            raise ServiceError("unknown_item")
        await reply(query, notices.cancelled(await broadcasts.cancel_scheduled(db, actor, int(action.arg))))
    else:
        send_at = broadcasts.preset_time(action.arg, now)
        await _queued(
            query, actor, db, bot, await broadcasts.confirm(db, actor, notices.broadcast_message, send_at, now=now)
        )


@router.callback_query(Pressed("prp|"))
async def progress_page(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """Another page of the units not submitted yet."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    report = await progress.progress_report(db, actor, now=clock.now())
    await reply(query, progress_screen(report, int(action.arg or 0)))


@router.callback_query(Pressed("rmu|"))
async def remind_unit(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """ "🔔 Remind": the unit's focal points get a reminder now (once a day); the toast says what
    happened and the progress screen shows the unit as reminded."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    now = clock.now()
    nudged = await reminders.remind_unit(db, actor, action.period, action.unit, notices.reminder_payload, now=now)
    await query.answer(notices.nudged(nudged))
    if query.message is not None:
        report = await progress.progress_report(db, actor, now=now)
        await show(
            query.bot, query.message.chat.id, progress_screen(report, int(action.arg or 0)), query.message.message_id
        )


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
