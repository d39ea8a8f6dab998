"""The router tree. Order matters: specific routers first, the fallback last (it answers anything
the others did not take, so no input is ever met with silence)."""

from __future__ import annotations

from aiogram import Router

from bot.filters import PrivateChat
from bot.handlers import (
    admin,
    assessment,
    coordinator,
    errors,
    evidence,
    fallback,
    leader,
    menu,
    review,
    start,
    uploads,
)


def get_routers() -> list[Router]:
    """Errors first; every other router only sees private chats (the bot is not for groups)."""
    private = Router(name="private")
    private.message.filter(PrivateChat())
    private.include_routers(
        assessment.buttons,
        start.router,
        coordinator.router,
        review.router,
        admin.router,
        uploads.router,
        leader.router,
        menu.router,
        assessment.router,
        evidence.router,
        fallback.router,
    )
    return [errors.router, private]
