"""Administrators import units and invite people by sending a sheet in the chat."""

from __future__ import annotations

import io

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.filters import Pressed, Sent
from bot.handlers.common import answer_error, reply
from bot.i18n import _
from bot.render.actions import menu
from bot.render.admin.sheets import invites_csv
from bot.render.errors import service_error
from bot.render.screen import Button, Screen, rows
from bot.services.access import Actor
from bot.services.admin import uploads
from bot.services.admin.invites import invites_from_table
from bot.services.admin.units_import import import_units
from bot.services.assessment.evidence import MAX_FILE_BYTES
from bot.services.errors import ServiceError
from storage.db import Database

router = Router(name="uploads")


class ExpectingSheet(BaseFilter):
    """A document sent by an admin who asked to import units or invite people."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool | dict:
        if actor is None or not any(r.role == "admin" for r in actor.roles):
            return False
        kind = await uploads.expected_upload(db, actor)
        return {"upload_kind": kind} if kind else False


@router.callback_query(Pressed(exact={menu("import_units"), menu("import_invites")}))
async def ask_for_sheet(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """Ask for the sheet, explaining its columns."""
    kind = "units" if query.data == menu("import_units") else "invites"
    try:
        await uploads.expect_upload(db, actor, kind)
    except ServiceError as exc:
        await answer_error(query, exc)
        return
    text = (
        _(
            "📥 Send the units sheet (.xlsx or .csv) with columns code, name, cohort, parent, ranked and any "
            "attributes such as has_public_services. Nothing is saved if any row is wrong."
        )
        if kind == "units"
        else _(
            "✉️ Send the invitations sheet (.xlsx or .csv) with columns unit_code, role, count. You will get "
            "back a CSV of one-time links."
        )
    )
    await reply(query, Screen(text, rows([Button(_("✖️ Cancel"), menu("menu"))])))


@router.message(Sent(photos=False), ExpectingSheet())
async def sheet_received(message: Message, actor: Actor, db: Database, bot: Bot, upload_kind: str) -> None:
    """Import the sheet with the same checks as the command line."""
    document = message.document
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await answer_error(message, ServiceError("too_big"))
        return
    buffer = io.BytesIO()
    await bot.download(document.file_id, destination=buffer)
    try:
        if upload_kind == "units":
            report = await import_units(db, buffer.getvalue(), document.file_name or "units.xlsx")
            await message.answer(
                _("Units: {created} created, {updated} updated, {unchanged} unchanged.").format(
                    created=report.created, updated=report.updated, unchanged=report.unchanged
                )
            )
        else:
            issued = await invites_from_table(
                db, buffer.getvalue(), document.file_name or "invites.xlsx", actor.person_id
            )
            username = (await bot.get_me()).username
            await bot.send_document(message.chat.id, BufferedInputFile(invites_csv(issued, username), "loi-moi.csv"))
            await message.answer(
                _("{count} invitations created; the links are in the file above.").format(count=len(issued))
            )
    except ServiceError as exc:
        await message.answer(service_error(exc))
        return
    await uploads.expect_upload(db, actor, None)
