"""The router tree. Order matters: specific routers first, the fallback last (it answers anything
the others did not take, so no input is ever met with silence)."""

from __future__ import annotations

from aiogram import Router

from bot.filters import PrivateChat
from bot.handlers import (
    admin,
    approval,
    assessment,
    coordinator,
    documents,
    errors,
    evidence,
    explanations,
    fallback,
    leader,
    menu,
    objections,
    phases,
    review,
    start,
    uploads,
    values,
)


def get_routers() -> list[Router]:
    """The self-assessment's buttons first (most updates are these; they come from the bot's own
    messages, all in private chats); every other router only sees private chats (the bot is not
    for groups). Unexpected errors reach the errors router wherever they happen."""
    private = Router(name="private")
    private.message.filter(PrivateChat())
    private.include_routers(
        start.router,
        coordinator.router,  # text while composing a broadcast
        review.router,  # text while correcting or sending back an item
        approval.router,  # text while a leader returns the self-assessment (the comment)
        phases.router,  # text while a coordinator reopens a phase (the reason)
        values.router,  # text while a coordinator types agencies' figures
        objections.router,  # text and files while a unit objects; the council's typed answers
        assessment.router,  # any other text that is not a command: an answer
        admin.router,
        documents.router,  # before uploads: a framework workbook is not a sheet of units
        uploads.router,
        leader.router,
        menu.router,
        evidence.router,
        fallback.router,
    )
    return [assessment.buttons, explanations.buttons, errors.router, private]
