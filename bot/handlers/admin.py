"""Coordinators' progress table, the administrators' export and their people screens, in the chat."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.clock import Clock
from bot.filters import Pressed
from bot.handlers.common import reply
from bot.i18n import _
from bot.render import actions
from bot.render.actions import Action, menu
from bot.render.admin.people import (
    confirm_remove_screen,
    confirm_revoke_screen,
    overview_screen,
    removed_notice,
    revoked_notice,
    unit_screen,
)
from bot.render.admin.sheets import (
    archive_caption,
    export_caption,
    invites_template_xlsx,
    progress_xlsx,
    units_template_xlsx,
)
from bot.render.campaign.progress import progress_screen
from bot.render.screen import Screen
from bot.services import permissions
from bot.services.access import Actor
from bot.services.admin import people
from bot.services.admin.export import export_open_period
from bot.services.admin.units_import import template_facts
from bot.services.campaign import progress
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.db import Database
from storage.files import EvidenceStore

router = Router(name="admin")
TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024  # bots may send documents up to 50 MB


@router.callback_query(Pressed(exact={menu("progress")}))
async def progress_button(query: CallbackQuery, actor: Actor, db: Database, bot: Bot, clock: Clock) -> None:
    """Totals, cohorts and the units not submitted yet (a "🔔" each for coordinators), with the full
    table as .xlsx (built on a worker thread)."""
    report = await progress.progress_report(db, actor, now=clock.now())
    await reply(query, progress_screen(report))
    sheet = await asyncio.to_thread(progress_xlsx, report)
    await bot.send_document(query.message.chat.id, BufferedInputFile(sheet, "tien-do.xlsx"))


@router.callback_query(Pressed(exact={menu("export")}))
async def export_button(
    query: CallbackQuery,
    actor: Actor,
    db: Database,
    store: EvidenceStore,
    settings: Settings,
    bot: Bot,
    clock: Clock,
) -> None:
    """Export the open period (on a worker thread); send the files when Telegram can carry them,
    else say how to get them."""
    actor.require(permissions.Action.EXPORT)  # before the "exporting…" answer, so that a refusal is the answer
    await query.answer(_("Exporting… this can take a minute."))
    period_id, result = await export_open_period(db, store, settings.data_dir / "exports", actor, clock.now())
    chat = query.message.chat.id
    captions = {result.xlsx: export_caption(result), result.archive: archive_caption(result)}
    for path in (result.xlsx, result.archive):
        if path.stat().st_size < TELEGRAM_UPLOAD_LIMIT:
            data = await asyncio.to_thread(path.read_bytes)
            await bot.send_document(chat, BufferedInputFile(data, path.name), caption=captions[path])
        else:
            await bot.send_message(
                chat,
                _(
                    "{name} is larger than 50 MB, too big for Telegram. On the server: "
                    "dti-bot export --period {period} --out DIR"
                ).format(name=path.name, period=period_id),
            )
    await bot.send_message(
        chat,
        _("📦 Exported {answers} answers and {files} evidence files.").format(
            answers=result.answers, files=result.files
        ),
    )


@router.callback_query(Pressed(exact={menu("template_units"), menu("template_invites")}))
async def template_button(query: CallbackQuery, actor: Actor, db: Database, settings: Settings, bot: Bot) -> None:
    """A filled-in example of the units or the invitations sheet, to fill in and send back."""
    invitations = query.data == menu("template_invites")
    facts = await template_facts(db, actor, invitations=invitations, dirs=settings.framework_dirs)
    if invitations:
        data, name, caption = invites_template_xlsx(facts), "loi-moi-mau.xlsx", _("📄 Example invitations sheet")
    else:
        data, name, caption = units_template_xlsx(facts), "don-vi-mau.xlsx", _("📄 Example units sheet")
    await query.answer()
    caption += "\n" + _("Fill it in (the “Guide” sheet explains each column), then send it back here.")
    await bot.send_document(query.message.chat.id, BufferedInputFile(data, name), caption=caption)


@router.callback_query(Pressed("ppl|", "ppr|", "ppx|", "ivr|", "ivx|", exact={menu("people")}))
async def people_button(query: CallbackQuery, actor: Actor, db: Database, clock: Clock) -> None:
    """Administrators: people and roles per unit; remove a role or revoke unused invitations,
    each after a confirmation. Forged or stale button data gets a polite refusal."""
    action = Action("ppl", arg="p:0") if query.data == menu("people") else actions.parse(query.data)
    await reply(query, await people_screen(db, actor, action, clock.now()))


async def people_screen(db: Database, actor: Actor, action: Action | None, now: datetime) -> Screen:
    """One use case per button; anything but the exact shapes the screens send is refused."""
    if action is None:
        raise ServiceError("unknown_item")
    verb, arg, unit_id = action.verb, action.arg, action.unit or None
    if verb == "ppl" and unit_id is None and arg.startswith("p:") and arg[2:].isdigit():
        return overview_screen(await people.overview(db, actor, now=now), int(arg[2:]))
    if verb == "ppl" and (arg == "c" if unit_id is None else arg == ""):
        return unit_screen(await people.unit_people(db, actor, unit_id, now=now))
    if verb == "ppr" and arg.isdigit():
        return confirm_remove_screen(await people.role_to_remove(db, actor, int(arg), unit_id), unit_id)
    if verb == "ppx" and arg.isdigit():
        removed, listing = await people.remove_role(db, actor, int(arg), unit_id, now=now)
        return unit_screen(listing, removed_notice(removed))
    if verb == "ivr" and arg == "":
        return confirm_revoke_screen(await people.unit_invites_to_revoke(db, actor, unit_id, now=now))
    if verb == "ivx" and arg.isdigit():
        count, listing = await people.revoke_unit_invites(db, actor, unit_id, int(arg), now=now)
        return unit_screen(listing, revoked_notice(count))
    raise ServiceError("unknown_item")
