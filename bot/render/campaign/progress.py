"""The campaign's progress as the chat shows it: the least complete units (the full table goes as
.xlsx, bot.render.admin.sheets), and a period's deadline."""

from __future__ import annotations

from html import escape

from bot.i18n import _
from bot.render.actions import menu
from bot.render.campaign.notices import time_left
from bot.render.numbers import vn_date, vn_percent
from bot.render.screen import Button, Screen, rows
from bot.services.campaign.progress import DeadlineInfo, ProgressReport

SHOWN = 15


def progress_screen(report: ProgressReport) -> Screen:
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


def deadline_screen(info: DeadlineInfo) -> Screen:
    return Screen(
        _("⏳ Deadline of {title}: {deadline} — {when}.").format(
            title=info.title, deadline=vn_date(info.deadline), when=time_left(info.days_left)
        )
    )
