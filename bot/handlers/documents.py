"""Word reports and framework workbooks in the chat: "📄 Report" for a unit's leader and focal
points; an admin sends a framework workbook, sees its summary and publishes it on confirmation."""

from __future__ import annotations

import asyncio
import io

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.filters import CarriesFile, Pressed
from bot.handlers.common import reply
from bot.render.actions import menu
from bot.render.admin.framework_screens import (
    MAX_SHOWN,
    cancelled_screen,
    framework_summary_screen,
    framework_upload_prompt,
    published_screen,
    workbook_errors,
)
from bot.render.admin.report_docx import unit_report_docx
from bot.services.access import Actor
from bot.services.admin import framework_workbook, reports
from bot.services.assessment.evidence import MAX_FILE_BYTES
from bot.services.errors import ServiceError
from scoring import FrameworkError
from storage.db import Database

router = Router(name="documents")
PUBLISH = menu("fwp:")


class ExpectingFramework(BaseFilter):
    """A document sent by an admin who asked to send a framework workbook."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool:
        return actor is not None and await framework_workbook.expecting_framework(db, actor)


@router.callback_query(Pressed(exact={menu("report")}))
async def unit_report(query: CallbackQuery, actor: Actor, db: Database, bot: Bot, clock: Clock) -> None:
    """The unit's self-assessment report as a Word document (written on a worker thread)."""
    report = await reports.my_unit_report(db, actor, now=clock.now())
    await query.answer()
    name = f"bao-cao-tu-danh-gia-{report.unit_code}-{report.year}.docx"
    document = await asyncio.to_thread(unit_report_docx, report)
    await bot.send_document(query.from_user.id, BufferedInputFile(document, name))


@router.callback_query(Pressed(exact={menu("frameworks")}))
async def ask_for_framework(query: CallbackQuery, actor: Actor, db: Database) -> None:
    await framework_workbook.expect_framework(db, actor)
    await reply(query, framework_upload_prompt())


@router.message(CarriesFile(photos=False), ExpectingFramework())
async def framework_received(message: Message, actor: Actor, db: Database, bot: Bot) -> None:
    """Check the whole workbook; show its problems, or its summary with a button to publish."""
    document = message.document
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        raise ServiceError("too_big")
    buffer = io.BytesIO()
    await bot.download(document.file_id, destination=buffer)
    try:
        summary = await framework_workbook.check_upload(db, actor, buffer.getvalue(), document.file_name or "")
    except framework_workbook.WorkbookErrors as exc:
        await message.answer(workbook_errors(exc, MAX_SHOWN), parse_mode=None)
        return
    await reply(message, framework_summary_screen(summary))


@router.callback_query(Pressed(PUBLISH))
async def publish(query: CallbackQuery, actor: Actor, db: Database) -> None:
    try:
        published = await framework_workbook.publish_pending(db, actor, (query.data or "")[len(PUBLISH) :])
    except FrameworkError as exc:  # the kept definition no longer loads (cannot happen unless the code changed)
        raise ServiceError("framework_not_pending") from exc
    await reply(query, published_screen(published))


@router.callback_query(Pressed(exact={menu("fwx")}))
async def cancel(query: CallbackQuery, actor: Actor, db: Database) -> None:
    await framework_workbook.drop_pending(db, actor)
    await reply(query, cancelled_screen())
