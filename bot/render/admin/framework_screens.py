"""Framework workbooks in words: where a problem is (sheet, row, column) and what it is; the
summary an admin confirms before a framework sent in the chat is published."""

from __future__ import annotations

import re
from html import escape

from bot.i18n import _
from bot.render.actions import menu
from bot.render.numbers import vn_number
from bot.render.screen import Button, Screen, rows
from bot.services.admin.framework_workbook import FrameworkSummary, WorkbookErrors, WorkbookProblem
from bot.services.admin.frameworks import PublishedFramework

MAX_SHOWN = 15  # problems listed in a chat message; the command line lists them all


def _problem_messages() -> dict[str, str]:
    return {
        "not_xlsx": _("The file is not a readable Excel workbook (.xlsx)."),
        "missing_sheet": _("the sheet is missing from the workbook."),
        "missing_column": _("the column is missing from the heading row."),
        "missing_value": _("this cell must be filled in."),
        "missing_field": _("the row “{field}” is missing."),
        "unknown_field": _("unknown field “{value}”."),
        "not_a_number": _("“{value}” is not a number."),
        "not_a_whole_number": _("“{value}” must be a whole number, 0 or more."),
        "not_a_code": _("“{value}” is not a valid code: write it as text."),
        "not_in_list": _("“{value}” is not in the list ({known})."),
        "not_years": _("“{value}” must be years separated by commas, e.g. 2025, 2026."),
        "not_a_date": _("“{value}” is not a date (dd/mm/yyyy)."),
        "bad_condition": _("“{value}” must read attribute = value, conditions separated by semicolons."),
        "duplicate_code": _("the code {code} is already used (sheet “{first_sheet}”, row {first})."),
        "duplicate_field": _("the limits of the number “{code}” are given twice for this sub-index."),
        "unknown_reference": _("the code {code} is not in the sheet “{target}”."),
    }


def _where(problem: WorkbookProblem) -> str:
    if not problem.sheet:
        return ""
    parts = [_("Sheet “{sheet}”").format(sheet=problem.sheet)]
    if problem.row is not None:
        parts.append(_("row {row}").format(row=problem.row))
    if problem.column:
        parts.append(_("column {column} (“{heading}”)").format(column=problem.column, heading=problem.heading))
    elif problem.heading:
        parts.append(_("column “{heading}”").format(heading=problem.heading))
    return ", ".join(parts)


def workbook_problem(problem: WorkbookProblem) -> str:
    """One problem, located: "Trang “Chỉ số”, dòng 4, cột D (“Điểm tối đa”): … ."""
    if problem.reason == "framework":
        text = loader_problem(str(problem.details.get("problem", "")))
    else:
        template = _problem_messages().get(problem.reason, _("invalid value ({reason})."))
        text = template.format(reason=problem.reason, **problem.details)
    where = _where(problem)
    return f"{where}: {text}" if where else text


def workbook_errors(error: WorkbookErrors, limit: int | None = None) -> str:
    lines = [
        _("The framework workbook has {count} problem(s); nothing was published:").format(count=error.details["count"])
    ]
    shown = error.problems if limit is None else error.problems[:limit]
    lines += [f"• {workbook_problem(p)}" for p in shown]
    if len(error.problems) > len(shown):
        lines.append(_("… and {count} more.").format(count=len(error.problems) - len(shown)))
    return "\n".join(lines)


def _loader_patterns() -> list[tuple[re.Pattern[str], str]]:
    """The loader's problems (English, for the YAML author) worded for the workbook's author."""
    return [
        (re.compile(r"the points of its indices sum to (?P<a>\S+), not to (?P<b>\S+)"),
         _("the indices' points add up to {a}, not to {b}.")),
        (re.compile(r"the points of its sub-indices sum to (?P<a>\S+), not to (?P<b>\S+)"),
         _("the sub-indices' points add up to {a}, not to {b}.")),
        (re.compile(r"criteria points sum to (?P<a>\S+), not to the sub-index maximum (?P<b>\S+)"),
         _("the criteria's points add up to {a}, not to the sub-index's maximum {b}.")),
        (re.compile(r"'indices' must be a non-empty list"), _("the framework has no index yet.")),
        (re.compile(r"needs exactly one of 'pillars' or 'indices'"), _("the framework has no index yet.")),
        (re.compile(r"must not be negative"), _("the number must not be negative.")),
        (re.compile(r"unknown parameter\(s\) of method '(?P<a>[a-z_]+)': (?P<b>.+?) \(known"),
         _("the method “{a}” does not use: {b}. Empty those cells.")),
        (re.compile(r"method 'options' needs an 'options' list"),
         _("a sub-index scored by levels needs at least two rows in the sheet of options.")),
        (re.compile(r"option '?(?P<a>[^' ]+)'? needs exactly one of 'fraction' or 'points'"),
         _("option {a}: fill in either the share of the maximum or the points, not both.")),
        (re.compile(r"option '?(?P<a>[^' ]+)'? is worth (?P<b>\S+), outside 0\.\.1"),
         _("option {a} is worth {b} of the maximum: it must lie between 0 and 1.")),
        (re.compile(r"duplicate option codes"), _("two options have the same code.")),
        (re.compile(r"no option earns the full points"), _("one option must earn the full points.")),
        (re.compile(r"method 'criteria' needs a non-empty 'criteria' list"),
         _("a sub-index scored by criteria needs its rows in the sheet of criteria.")),
        (re.compile(r"method 'count_tiers' needs a non-empty 'tiers' list"),
         _("a sub-index scored by tiers needs its rows in the sheet of tiers.")),
        (re.compile(r"two tiers share the same 'min'"), _("two tiers start at the same count.")),
        (re.compile(r"tier min (?P<a>\S+) earns less than tier min (?P<b>\S+)"),
         _("the tier from {a} earns less than the tier from {b}.")),
        (re.compile(r"tier points must lie in 0\.\.(?P<a>\S+) and the top tier must earn"),
         _("tier points must lie between 0 and {a}, and the highest tier must earn {a}.")),
        (re.compile(r"parameter 'full_at' must be in \(0, 1\]"),
         _("the ratio for full points must be above 0 and at most 1.")),
        (re.compile(r"'min_value' (?P<a>\S+) must be below 'max_value' (?P<b>\S+)"),
         _("the lowest value {a} must be below the highest value {b}.")),
        (re.compile(r"' \((?P<x>\S+)\) must not be above '[a-z_.]+' \((?P<y>\S+)\)"),
         _("the limit {x} must not be above the limit {y}.")),
        (re.compile(r"required evidence needs at least one kind"),
         _("required evidence needs at least one evidence kind.")),
        (re.compile(r"value_formula 'pillar_mean' needs pillars"),
         _("the mean of the pillars needs the sheet of pillars.")),
    ]  # fmt: skip


def loader_problem(problem: str) -> str:
    for pattern, template in _loader_patterns():
        match = pattern.search(problem)
        if match:
            return template.format(**match.groupdict())
    return _("invalid framework: {problem}").format(problem=problem)


def framework_summary_screen(summary: FrameworkSummary) -> Screen:
    """What the workbook holds, for the admin to confirm before publishing."""
    lines = [
        _("📚 <b>Framework checked: no problem found</b>"),
        _("{id} — {title}").format(id=escape(summary.framework_id), title=escape(summary.title)),
        _("{indices} indices, {subs} sub-indices, {total} points in total.").format(
            indices=len(summary.indices), subs=summary.sub_indices, total=vn_number(summary.total_points, 0)
        ),
        "",
    ]
    for index in summary.indices:
        lines.append(
            _("• {code}. {name}: {points} points, {subs} sub-indices").format(
                code=escape(index.code),
                name=escape(index.name),
                points=vn_number(index.max_points, 2, trim=True),
                subs=index.sub_indices,
            )
        )
    if summary.already_published:
        lines += ["", _("This exact content is already published: publishing again changes nothing.")]
    buttons = [
        Button(_("✅ Publish"), menu(f"fwp:{summary.content_hash[:16]}")),
        Button(_("✖️ Cancel"), menu("fwx")),
    ]
    return Screen("\n".join(lines), rows(buttons))


def framework_upload_prompt() -> Screen:
    return Screen(
        _(
            "📚 Send the framework workbook (.xlsx). To start from a template, run "
            "<code>dti-bot framework template --out F.xlsx</code>, or export a framework with "
            "<code>dti-bot framework export ID --out F.xlsx</code>. The bot checks the whole file and shows a "
            "summary; nothing is published before you confirm."
        ),
        rows([Button(_("✖️ Cancel"), menu("fwx"))]),
    )


def published_screen(published: PublishedFramework) -> Screen:
    template = _("✅ Published {id} ({hash}).") if published.created else _("Already published: {id} ({hash}).")
    text = template.format(id=escape(published.framework_id), hash=published.content_hash[:12])
    return Screen(text, rows([Button(_("🏠 Main menu"), menu("menu"))]))


def cancelled_screen() -> Screen:
    return Screen(_("Cancelled: nothing was published."), rows([Button(_("🏠 Main menu"), menu("menu"))]))
