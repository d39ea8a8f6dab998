"""Coordinators' progress table and the administrators' export, in the chat."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.filters import Pressed
from bot.handlers.common import answer_error, reply
from bot.i18n import _
from bot.render.actions import menu
from bot.render.numbers import vn_date, vn_percent
from bot.render.screen import Button, Screen, rows
from bot.render.sheets import progress_xlsx
from bot.services import progress
from bot.services.access import Actor
from bot.services.errors import ServiceError
from bot.services.export import export_open_period
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
