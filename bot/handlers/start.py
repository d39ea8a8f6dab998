"""/start: with an invitation code it binds the account; without, it greets by role."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from bot.clock import Clock
from bot.handlers.common import reply
from bot.render.menu import menu_screen, stranger_screen, welcome_screen
from bot.services.access import Actor, load_actor
from bot.services.admin.invites import redeem_invite
from bot.services.campaign.glance import glance
from storage.db import Database

router = Router(name="start")


@router.message(CommandStart(deep_link=True))
async def start_with_invitation(message: Message, command: CommandObject, db: Database, clock: Clock) -> None:
    """Use the invitation code from the link, then show the person's menu."""
    user = message.from_user
    code, name, username = command.args or "", user.full_name, user.username or ""
    redeemed = await redeem_invite(db, code, user.id, name, username, now=clock.now())
    actor = await load_actor(db, user.id)
    await reply(message, welcome_screen(redeemed, actor, await glance(db, actor, clock.now())))


@router.message(CommandStart())
async def start(message: Message, actor: Actor | None, db: Database, clock: Clock) -> None:
    """Greet a known person by name with the menu; a stranger gets the explanation and nothing else."""
    if actor is None:
        await reply(message, stranger_screen())
        return
    first_name = message.from_user.first_name if message.from_user else ""
    await reply(message, menu_screen(actor, await glance(db, actor, clock.now()), first_name or ""))
