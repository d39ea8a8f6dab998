"""Unit leaders approve their unit's self-assessment, or return it to the focal points with a comment."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Message

from bot.clock import Clock
from bot.filters import Pressed, Typed
from bot.handlers.common import reply
from bot.render import actions
from bot.render.actions import menu
from bot.render.assessment.approval import approval_screen, ask_return_comment, choice_screen, decision_notice
from bot.services.access import Actor
from bot.services.assessment import approval
from bot.services.errors import ServiceError
from storage.db import Database

router = Router(name="approval")


class ReturnComment(BaseFilter):
    """Text typed by a leader who is returning the self-assessment: the comment."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        return actor is not None and await approval.approval_cursor(db, actor) is not None


@router.callback_query(Pressed(exact={menu("approve")}))
async def approvals(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """The unit's self-assessment to approve (a leader of several units chooses one)."""
    found = await approval.approvals(db, actor)
    await reply(query, choice_screen(found) if isinstance(found, approval.ApprovalChoice) else approval_screen(found))


@router.callback_query(Pressed("apv|", "apa|", "apr|", "apx|"))
async def approval_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """See the summary, approve (after a confirmation), or return it (the comment is typed next)."""
    action = actions.parse(query.data)
    if action is None:
        raise ServiceError("unknown_item")
    unit, period = action.unit, action.period
    if action.verb == "apa":
        view = await approval.approve(db, actor, unit, period, now=clock.now(), render=decision_notice)
    elif action.verb == "apr":
        await reply(query, ask_return_comment(await approval.start_return(db, actor, unit, period, now=clock.now())))
        return
    else:
        if action.verb == "apx":
            await approval.cancel_input(db, actor)
        view = await approval.approval_view(db, actor, unit, period, confirming=action.arg == "confirm")
    await reply(query, approval_screen(view))


@router.message(Typed(commands=False), ReturnComment())
async def return_comment(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """The comment of a return: the self-assessment goes back to the focal points."""
    view = await approval.typed_comment(db, actor, message.text, now=clock.now(), render=decision_notice)
    await reply(message, approval_screen(view))
