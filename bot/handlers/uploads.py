"""Administrators import units and invite people by sending a sheet in the chat."""

from __future__ import annotations

import io

from aiogram import Bot, Router
from aiogram.filters import BaseFilter
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.clock import Clock
from bot.filters import CarriesFile, Pressed
from bot.handlers.common import reply
from bot.i18n import _
from bot.render.actions import menu
from bot.render.admin.sheets import invites_csv
from bot.render.screen import Button, Screen, rows
from bot.services.access import Actor
from bot.services.admin import uploads
from bot.services.admin.invites import invites_from_table
from bot.services.admin.units_import import import_units
from bot.services.assessment.evidence import MAX_FILE_BYTES
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.db import Database

router = Router(name="uploads")


class ExpectingSheet(BaseFilter):
    """A document sent by an admin who asked to import units or invite people."""

    async def __call__(self, message: Message, actor: Actor | None, db: Database) -> bool | dict:
        if actor is None:
            return False
        kind = await uploads.expected_upload(db, actor)
        return {"upload_kind": kind} if kind else False


@router.callback_query(Pressed(exact={menu("import_units"), menu("import_invites")}))
async def ask_for_sheet(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """Ask for the sheet, explaining its columns."""
    kind = "units" if query.data == menu("import_units") else "invites"
    await uploads.expect_upload(db, actor, kind)
    text = (
        _(
            "📥 Send the units sheet (.xlsx or .csv) with the columns Unit code, Unit name, Cohort, Parent unit, "
            "Ranked and attributes such as Has public services (English headings work too). Nothing is saved if "
            "any row is wrong. The example sheet shows how to fill it in."
        )
        if kind == "units"
        else _(
            "✉️ Send the invitations sheet (.xlsx or .csv) with the columns Unit code, Role, Number of invitations "
            "(English headings work too). You will get back a CSV of one-time links. The example sheet shows "
            "how to fill it in."
        )
    )
    buttons = [Button(_("📄 Example sheet"), menu(f"template_{kind}")), Button(_("✖️ Cancel"), menu("menu"))]
    await reply(query, Screen(text, rows(buttons)))


@router.message(CarriesFile(photos=False), ExpectingSheet())
async def sheet_received(
    message: Message, actor: Actor, db: Database, bot: Bot, settings: Settings, clock: Clock, upload_kind: str
) -> None:
    """Import the sheet with the same checks as the command line."""
    document = message.document
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        raise ServiceError("too_big")
    buffer = io.BytesIO()
    await bot.download(document.file_id, destination=buffer)
    if upload_kind == "units":
        name = document.file_name or "units.xlsx"
        report = await import_units(db, actor, buffer.getvalue(), name, settings.framework_dirs, now=clock.now())
        await message.answer(
            _("Units: {created} created, {updated} updated, {unchanged} unchanged.").format(
                created=report.created, updated=report.updated, unchanged=report.unchanged
            )
        )
    else:
        name = document.file_name or "invites.xlsx"
        issued = await invites_from_table(db, actor, buffer.getvalue(), name, now=clock.now())
        username = (await bot.get_me()).username
        await bot.send_document(message.chat.id, BufferedInputFile(invites_csv(issued, username), "loi-moi.csv"))
        await message.answer(
            _("{count} invitations created; the links are in the file above.").format(count=len(issued))
        )
    await uploads.expect_upload(db, actor, upload_kind, done=True)
