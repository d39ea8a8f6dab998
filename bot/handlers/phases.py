"""Coordinators move the period through its phases in the chat: "🗓 Giai đoạn" shows the phase, its
dates and the next move (confirmed first); going back asks for a typed reason."""

from __future__ import annotations

from datetime import date

from aiogram import Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.campaign_calendar import local_date
from bot.clock import Clock
from bot.filters import Pressed, Typed
from bot.handlers.common import reply
from bot.render import actions
from bot.render.actions import menu
from bot.render.campaign.phases import (
    ask_reopen_reason,
    confirm_move_screen,
    moved_notice,
    phase_screen,
    results_notice,
)
from bot.services.access import Actor
from bot.services.campaign import periods
from bot.services.errors import ServiceError
from storage.db import Database

router = Router(name="phases")


class ReopenReason(BaseFilter):
    """Text typed by a coordinator who is reopening a phase: the reason."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        return actor is not None and await periods.phase_cursor(db, actor) is not None


@router.callback_query(Pressed("phs|", "phm|", "phx|", "phr|", "phc|", exact={menu("phase")}))
async def phase_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """The phase screen, a move's confirmation, the move itself, or the question for a reopening's reason."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    now = clock.now()
    period = action.period or None
    if action.verb == "phm":
        view = await periods.phase_view(db, actor, period, now=now)
        if view.next_move != action.arg:  # the phase moved meanwhile: show where it is now
            await reply(query, phase_screen(view, local_date(now)))
            return
        await reply(query, confirm_move_screen(view, action.arg, view.next_until))
    elif action.verb == "phx":
        move, _sep, day = action.arg.partition(":")
        try:
            until = date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise ServiceError("unknown_item") from exc
        moved = await periods.move_phase(
            db, actor, action.period, move, until=until, via="chat", now=now, render=results_notice
        )
        view = await periods.phase_view(db, actor, moved.period.id, now=now)
        await reply(query, phase_screen(view, local_date(now), moved_notice(moved)))
    elif action.verb == "phr":
        await reply(query, ask_reopen_reason(await periods.start_reopen(db, actor, action.period, now=now)))
    else:
        if action.verb == "phc":
            await periods.cancel_phase_input(db, actor)
        await reply(query, phase_screen(await periods.phase_view(db, actor, period, now=now), local_date(now)))


@router.message(Typed(commands=False), ReopenReason())
async def reopen_reason(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """The reason of a reopening: the period goes one phase back (recorded with the reason)."""
    now = clock.now()
    moved = await periods.reopen_with_reason(db, actor, message.text, now=now)
    view = await periods.phase_view(db, actor, moved.period.id, now=now)
    await reply(message, phase_screen(view, local_date(now), moved_notice(moved)))
