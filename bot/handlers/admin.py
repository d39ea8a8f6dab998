"""Coordinators' progress table, the administrators' export and their people screens, in the chat."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.filters import Pressed
from bot.handlers.common import answer_error, reply
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
from bot.render.admin.sheets import progress_xlsx
from bot.render.numbers import vn_date, vn_percent
from bot.render.screen import Button, Screen, rows
from bot.services.access import Actor
from bot.services.admin import people
from bot.services.admin.export import export_open_period
from bot.services.campaign import progress
from bot.services.errors import ServiceError
from bot.settings import Settings
from storage.db import Database
from storage.files import EvidenceStore

router = Router(name="admin")
TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024  # bots may send documents up to 50 MB
SHOWN = 15


@router.callback_query(Pressed(exact={menu("progress")}))
async def progress_button(query: CallbackQuery, actor: Actor, db: Database, bot: Bot) -> None:
    """Every unit's completion, least complete first, with the full table as .xlsx."""
    try:
        report = await progress.progress_report(db, actor)
    except ServiceError as exc:
        await answer_error(query, exc)
        return
    await reply(query, progress_text(report))
    await bot.send_document(query.message.chat.id, BufferedInputFile(progress_xlsx(report), "tien-do.xlsx"))


@router.callback_query(Pressed(exact={menu("export")}))
async def export_button(
    query: CallbackQuery, actor: Actor, db: Database, store: EvidenceStore, settings: Settings, bot: Bot
) -> None:
    """Export the open period; send the files when Telegram can carry them, else say how to get them."""
    await query.answer(_("Exporting… this can take a minute."))
    try:
        period_id, result = await export_open_period(db, store, settings.data_dir / "exports", actor)
    except ServiceError as exc:
        await answer_error(query, exc)
        return
    chat = query.message.chat.id
    for path in (result.xlsx, result.archive):
        if path.stat().st_size < TELEGRAM_UPLOAD_LIMIT:
            await bot.send_document(chat, BufferedInputFile(path.read_bytes(), path.name))
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


@router.callback_query(Pressed("ppl|", "ppr|", "ppx|", "ivr|", "ivx|", exact={menu("people")}))
async def people_button(query: CallbackQuery, actor: Actor, db: Database) -> None:
    """Administrators: people and roles per unit; remove a role or revoke unused invitations,
    each after a confirmation. Forged or stale button data gets a polite refusal."""
    action = Action("ppl", arg="p:0") if query.data == menu("people") else actions.parse(query.data)
    try:
        screen = await people_screen(db, actor, action)
    except ServiceError as exc:
        await answer_error(query, exc)
        return
    await reply(query, screen)


async def people_screen(db: Database, actor: Actor, action: Action | None) -> Screen:
    """One use case per button; anything but the exact shapes the screens send is refused."""
    if action is None:
        raise ServiceError("unknown_item")
    verb, arg, unit_id = action.verb, action.arg, action.unit or None
    if verb == "ppl" and unit_id is None and arg.startswith("p:") and arg[2:].isdigit():
        return overview_screen(await people.overview(db, actor), int(arg[2:]))
    if verb == "ppl" and (arg == "c" if unit_id is None else arg == ""):
        return unit_screen(await people.unit_people(db, actor, unit_id))
    if verb == "ppr" and arg.isdigit():
        return confirm_remove_screen(await people.role_to_remove(db, actor, int(arg), unit_id), unit_id)
    if verb == "ppx" and arg.isdigit():
        removed, listing = await people.remove_role(db, actor, int(arg), unit_id)
        return unit_screen(listing, removed_notice(removed))
    if verb == "ivr" and arg == "":
        return confirm_revoke_screen(await people.unit_invites_to_revoke(db, actor, unit_id))
    if verb == "ivx" and arg.isdigit():
        count, listing = await people.revoke_unit_invites(db, actor, unit_id, int(arg))
        return unit_screen(listing, revoked_notice(count))
    raise ServiceError("unknown_item")


def progress_text(report: progress.ProgressReport) -> Screen:
    """The least complete units first; the full table goes as .xlsx."""
    lines = [
        _("📈 <b>Progress</b> — {title}, deadline {deadline}").format(
            title=escape(report.period_title), deadline=vn_date(report.deadline)
        )
    ]
    for unit in report.units[:SHOWN]:
        state = _("submitted") if unit.answered and not unit.behind else _("not submitted")
        lines.append(
            _("{unit}: {answered}/{total} ({percent}) · evidence missing {missing} · {state}").format(
                unit=escape(unit.name),
                answered=unit.answered,
                total=unit.total,
                percent=vn_percent(unit.share * 100, 0),
                missing=unit.missing_evidence,
                state=state,
            )
        )
    if len(report.units) > SHOWN:
        lines.append(_("… and {count} more units in the attached table.").format(count=len(report.units) - SHOWN))
    return Screen("\n".join(lines), rows([Button(_("🏠 Main menu"), menu("menu"))]))
