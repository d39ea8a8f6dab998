"""Objections ("kiến nghị") to provisional results: units raise them with a reason and evidence; the
council chair answers each (upheld with new points, or rejected with a reason)."""

from __future__ import annotations

import asyncio
import io

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.filters import CarriesFile, Pressed, Typed
from bot.handlers.common import reply
from bot.i18n import _
from bot.render import actions
from bot.render.actions import menu
from bot.render.appraisal.objections import (
    cancelled_screen,
    council_empty,
    council_screen,
    decided_line,
    decided_notice,
    draft_screen,
    raised_council_notice,
    raised_screen,
    window_screen,
)
from bot.services.access import Actor
from bot.services.appraisal import objections
from bot.services.assessment.evidence import IncomingFile
from bot.services.errors import ServiceError
from bot.services.safe_text import strip_invisible
from storage.db import Database
from storage.files import EvidenceStore

router = Router(name="objections")


class Composing(BaseFilter):
    """A unit's person composing an objection (its reason, links, files)."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        if actor is None or (message.text or "").startswith("/"):
            return False
        return await objections.objection_cursor(db, actor) is not None


class Answering(BaseFilter):
    """The council chair typing an answer (new points, or the reason of a rejection)."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        if actor is None or (message.text or "").startswith("/"):
            return False
        return await objections.council_cursor(db, actor) is not None


@router.callback_query(Pressed("obl|", "obo|", "obs|", "obx|", exact={menu("objections")}))
async def unit_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """The items to object to; object to one (the reason is typed next); send; cancel."""
    action = actions.parse(query.data)
    now = clock.now()
    if action is None or action.verb in ("mnu", "obl"):
        unit = action.unit if action is not None and action.unit else None
        page = int(action.arg) if action is not None and action.arg.isdigit() else 0
        await reply(query, window_screen(await objections.objection_items(db, actor, unit, page, now=now)))
    elif action.verb == "obo":
        await reply(
            query,
            draft_screen(await objections.start_objection(db, actor, action.unit, action.period, action.code, now=now)),
        )
    elif action.verb == "obs":
        raised = await objections.send_objection(db, actor, now=now, notify_council=raised_council_notice)
        await reply(query, raised_screen(raised))
    else:
        await objections.cancel(db, actor)
        await reply(query, cancelled_screen())


@router.message(Typed(), Composing())
async def objection_text(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """The reason of the objection, or a link as its evidence."""
    await reply(message, draft_screen(await objections.objection_text(db, actor, message.text, now=clock.now())))


@router.message(CarriesFile(), Composing())
async def objection_file(
    message: Message, actor: Actor, db: Database, store: EvidenceStore, bot: Bot, clock: Clock
) -> None:
    """A photo or a file proving the objection."""
    if message.photo:
        photo = message.photo[-1]
        incoming = IncomingFile("photo", photo.file_id, photo.file_unique_id, "", "image/jpeg", photo.file_size)
    else:
        doc = message.document
        incoming = IncomingFile(
            "document",
            doc.file_id,
            doc.file_unique_id,
            strip_invisible(doc.file_name or ""),
            doc.mime_type or "",
            doc.file_size,
        )
    buffer = io.BytesIO()
    await bot.download(incoming.file_id, destination=buffer)
    draft = await objections.objection_file(db, store, actor, incoming, buffer.getvalue(), now=clock.now())
    await reply(message, draft_screen(draft))


@router.callback_query(Pressed("obn|", "obu|", "obr|", "obf|", exact={menu("council_objections")}))
async def council_button(query: CallbackQuery, actor: Actor, db: Database, store: EvidenceStore, bot: Bot) -> None:
    """The next open objection; uphold (points typed next) or reject (reason typed next); its files."""
    action = actions.parse(query.data)
    try:
        if action is None or action.verb in ("mnu", "obn"):
            after = int(action.arg[1:]) if action is not None and action.arg.startswith("a") else 0
            item = await objections.next_objection(db, actor, after)
        elif action.verb == "obf":
            await _send_files(query, await objections.open_objection(db, actor, int(action.arg)), store, bot)
            return
        else:
            item = await objections.start_decision(db, actor, int(action.arg), upheld=action.verb == "obu")
    except ValueError as exc:  # not a number where the button carries one: forged
        raise ServiceError("unknown_item") from exc
    await reply(query, council_screen(item) if item else council_empty())


@router.message(Typed(), Answering())
async def council_text(message: Message, actor: Actor, db: Database, clock: Clock) -> None:
    """The new points of an upheld objection, or the reason of a rejected one: the unit is told."""
    decided, following = await objections.council_text(db, actor, message.text, decided_notice, now=clock.now())
    await message.answer(decided_line(decided) + "\n" + _("The unit has been told."))
    await reply(message, council_screen(following) if following else council_empty())


async def _send_files(query: CallbackQuery, item: objections.CouncilItem, store: EvidenceStore, bot: Bot) -> None:
    await query.answer()
    for evidence in item.evidence:
        if not evidence.content_key:
            continue
        data = await asyncio.to_thread(store.read, evidence.content_key)
        upload = BufferedInputFile(data, evidence.file_name or "tai-lieu")
        caption = f"{item.code} · {item.unit_name}"
        if evidence.kind == "photo":
            await bot.send_photo(query.message.chat.id, upload, caption=caption)
        else:
            await bot.send_document(query.message.chat.id, upload, caption=caption)
