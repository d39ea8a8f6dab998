"""The main menu, help, and switching units."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.filters import Pressed
from bot.handlers.common import reply
from bot.handlers.live_card import show_card
from bot.render import actions
from bot.render.help import may_here, not_a_focal_point_screen
from bot.render.menu import help_screen, menu_screen, units_screen
from bot.services.access import Actor, choose_unit
from bot.services.assessment import flow as assessment
from bot.services.campaign.glance import glance
from bot.services.permissions import Action
from storage.db import Database

router = Router(name="menu")


@router.message(Command("menu"))
async def main_menu(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """Greet the person by name with the days left and the progress, and show what they can do."""
    facts = await glance(db, actor, clock.now())
    await reply(message, menu_screen(actor, facts, _first_name(message)))


@router.message(Command("help"))
async def help_command(message: Message, actor: Actor) -> None:
    """Explain the person's roles and commands."""
    await reply(message, help_screen(actor))


@router.message(Command("tiep", "continue", "tieptuc"))
async def continue_command(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """Resume the self-assessment exactly where the person stopped; someone who does not answer the
    unit's items (a leader, a reviewer) is shown what they can do instead."""
    if not actor.needs_unit_choice and not may_here(actor, Action.ANSWER):
        await reply(message, not_a_focal_point_screen(actor, await glance(db, actor, clock.now())))
        return
    await _open_menu_item(message, actor, db, "assess", clock)


@router.callback_query(Pressed("mnu|"))
async def menu_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """A menu button: open a part of the bot, or switch unit."""
    action = actions.parse(query.data)
    if action is None:
        await query.answer()
        return
    if action.arg == "menu":
        await reply(query, menu_screen(actor, await glance(db, actor, clock.now()), _first_name(query)))
    elif action.arg == "help":
        await reply(query, help_screen(actor))
    elif action.arg == "units":
        await reply(query, units_screen(actor))
    elif action.arg.startswith("unit:") and action.arg[5:].isdigit():
        actor = await choose_unit(db, actor, int(action.arg[5:]), now=clock.now())
        await reply(query, menu_screen(actor, await glance(db, actor, clock.now()), _first_name(query)))
    else:
        await _open_menu_item(query, actor, db, action.arg, clock)


def _first_name(event: Message | CallbackQuery) -> str:
    """Telegram's first name: the greeting's last resort when no name is stored."""
    user = event.from_user
    return (user.first_name or "") if user is not None else ""


async def _open_menu_item(event: Message | CallbackQuery, actor: Actor, db: Database, what: str, clock: Clock) -> None:
    if actor.needs_unit_choice:
        await reply(event, units_screen(actor))
        return
    if what == "assess":
        result = await assessment.open_current(db, actor, now=clock.now())
    elif what == "list":
        result = await assessment.item_list(db, actor, None, None, now=clock.now())
    elif what == "summary":
        result = await assessment.summary(db, actor, None, None, now=clock.now())
    else:
        await reply(event, menu_screen(actor, await glance(db, actor, clock.now()), _first_name(event)))
        return
    await show_card(event, result, db, actor, clock.now())  # the person's one live card
