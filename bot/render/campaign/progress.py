"""The campaign's progress as the chat shows it: totals, per cohort (named), and the units not
submitted yet, a page at a time, each with a "🔔" button for coordinators (the full table goes as
.xlsx, bot.render.admin.sheets); and a period's deadline."""

from __future__ import annotations

from html import escape

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.campaign.notices import time_left
from bot.render.numbers import vn_date, vn_percent
from bot.render.screen import Button, Screen, rows
from bot.services.campaign.progress import DeadlineInfo, ProgressReport, StageCounts, UnitProgress

PAGE = 8  # late units per page: a phone screen with their buttons


def _stages(counts: StageCounts) -> str:
    return _("{submitted}/{total} units submitted · {in_progress} in progress · {not_started} not started").format(
        submitted=counts.submitted,
        total=counts.total,
        in_progress=counts.in_progress,
        not_started=counts.not_started,
    )


def _late_line(number: int, unit: UnitProgress, reminded: bool) -> str:
    if not unit.answered:
        state = _("not started")
    elif unit.missing:
        state = _("{answered}/{total} items ({percent})").format(
            answered=unit.answered, total=unit.total, percent=vn_percent(unit.share * 100, 0)
        )
    else:
        state = _("all answered, not submitted")
    parts = [f"{number}. {escape(unit.name)} — {state}"]
    if unit.missing_evidence:
        parts.append(_("evidence missing {count}").format(count=unit.missing_evidence))
    if reminded:
        parts.append(_("🔔 reminded today"))
    return " · ".join(parts)


def progress_screen(report: ProgressReport, page: int = 0) -> Screen:
    """Totals first, then each cohort by name, then the late units (least complete first), a page at a time."""
    deadline = vn_date(report.deadline)
    lines = [_("📈 <b>Progress</b> — {title}").format(title=escape(report.period_title))]
    if report.days_left is not None:
        lines.append(_("Deadline {deadline} — {when}.").format(deadline=deadline, when=time_left(report.days_left)))
    else:
        lines.append(_("Deadline {deadline}.").format(deadline=deadline))
    lines.append("<b>" + _stages(report.totals) + "</b>")
    for cohort in report.cohorts:
        name = cohort.name[:1].upper() + cohort.name[1:]
        lines.append(f"• {escape(name)}: {_stages(cohort)}")
    late = report.late
    pages = max(1, -(-len(late) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = late[page * PAGE : (page + 1) * PAGE]
    buttons: list[list[Button]] = []
    lines.append("")
    if not late:
        lines.append(_("✅ Every unit has submitted."))
    else:
        heading = _("<b>Not submitted yet: {count} units</b>").format(count=len(late))
        if pages > 1:
            heading += " " + _("(page {page}/{pages})").format(page=page + 1, pages=pages)
        lines.append(heading)
        for n, unit in enumerate(shown, start=page * PAGE + 1):
            reminded = unit.unit_id in report.reminded_today
            lines.append(_late_line(n, unit, reminded))
            if report.can_remind:
                label = _("✅ Reminded today: {unit}") if reminded else _("🔔 Remind {unit}")
                data = Action("rmu", unit.unit_id, report.period_id, arg=str(page)).pack()
                buttons.append([Button(label.format(unit=unit.name), data)])
    nav = []
    if page > 0:
        nav.append(Button(_("⬅️ Previous page"), Action("prp", arg=str(page - 1)).pack()))
    if page < pages - 1:
        nav.append(Button(_("Next page ➡️"), Action("prp", arg=str(page + 1)).pack()))
    if nav:
        buttons.append(nav)
    buttons.append([Button(_("🏠 Main menu"), menu("menu"))])
    return Screen("\n".join(lines), rows(*buttons))


def deadline_screen(info: DeadlineInfo) -> Screen:
    return Screen(
        _("⏳ Deadline of {title}: {deadline} — {when}.").format(
            title=info.title, deadline=vn_date(info.deadline), when=time_left(info.days_left)
        )
    )
