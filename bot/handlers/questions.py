"""Plain-word questions get the same answer as the matching button, within the person's role."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot
from aiogram.types import Message

from bot.handlers.admin import progress_text
from bot.handlers.common import answer_error, reply
from bot.handlers.leader import show_result
from bot.i18n import _
from bot.render.assessment.cards import screen_for
from bot.render.campaign.notices import time_left
from bot.render.menu import help_screen
from bot.render.numbers import VN_TZ, vn_date
from bot.render.screen import Screen
from bot.services.access import Actor
from bot.services.assessment import flow as assessment
from bot.services.campaign import progress
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.db import Database

CAMPAIGN_ROLES = ("reviewer", "coordinator", "admin")


async def answer_question(
    message: Message, intent: str, actor: Actor, db: Database, settings: Settings, bot: Bot
) -> None:
    """Route a recognised question to the use case its button uses."""
    try:
        if intent in ("rank", "weakest", "overview"):
            await show_result(message, intent, actor, db, settings, bot)
        elif intent == "progress" and any(r.role in CAMPAIGN_ROLES for r in actor.roles):
            await reply(message, progress_text(await progress.progress_report(db, actor)))
        elif intent in ("progress", "assess") and actor.unit and actor.has("focal_point", actor.unit.unit_id):
            result = (
                await assessment.summary(db, actor, None, None)
                if intent == "progress"
                else await assessment.open_current(db, actor)
            )
            await reply(message, screen_for(result))
        elif intent == "progress":
            await show_result(message, "overview", actor, db, settings, bot)
        elif intent == "deadline":
            info = await progress.deadline_info(db, actor, datetime.now(VN_TZ).date())
            await reply(message, Screen(deadline_text(info)))
        else:
            await reply(message, help_screen(actor))
    except ServiceError as exc:
        await answer_error(message, exc)


def deadline_text(info: progress.DeadlineInfo) -> str:
    when = time_left(info.days_left)
    return _("⏳ Deadline of {title}: {deadline} — {when}.").format(
        title=info.title, deadline=vn_date(info.deadline), when=when
    )
