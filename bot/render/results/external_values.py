"""External values: the coordinator's screens (items, one item's units and figures, the figure
asked for) and the preview of `dti-bot values import`."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.errors import input_file_error
from bot.render.numbers import vn_points
from bot.render.screen import Button, Screen, rows
from bot.services.errors import InputFileError
from bot.services.results.external_values import ExternalItem, ImportPreview, ImportRow, ItemValues, ValuesOverview
from bot.wording import typed_number

UNIT_BUTTONS_PER_ROW = 3


def figure_text(item: ExternalItem, value: Decimal | None, points: Decimal | None) -> str:
    """ "0,85 → 8,5 điểm", or "7,5 điểm" for an item entered as points; "—" without a figure."""
    if value is None:
        return "—"
    if item.input == "value":
        return _("{value} → {points} points").format(value=typed_number(value), points=vn_points(points or Decimal(0)))
    return _("{points} points").format(points=vn_points(points if points is not None else value))


def _range_hint(item: ExternalItem) -> str:
    if item.input == "value":
        return _("a value from 0 to 1, e.g. 0,85 (it is multiplied by the item's {max} points)").format(
            max=vn_points(item.max_points)
        )
    return _("points from 0 to {max}, e.g. 7,5").format(max=vn_points(item.max_points))


def overview_screen(view: ValuesOverview) -> Screen:
    lines = [_("🔢 <b>Figures from other agencies</b> — {period}").format(period=escape(view.period_title))]
    if not view.items:
        lines.append(_("This framework has no item whose figure comes from another agency."))
        return Screen("\n".join(lines), rows([Button(_("⬅️ Menu"), menu("menu"))]))
    lines.append(_("Choose an item to enter each unit's figure:"))
    buttons = []
    for item in view.items:
        provider = _(" (from {provider})").format(provider=escape(item.provider)) if item.provider else ""
        lines.append(
            _("• {code} {name}{provider}: {entered}/{expected} units entered").format(
                code=escape(item.code),
                name=escape(item.name),
                provider=provider,
                entered=item.entered,
                expected=item.expected,
            )
        )
        buttons.append(
            [
                Button(
                    _("{code} · {entered}/{expected}").format(
                        code=item.code, entered=item.entered, expected=item.expected
                    ),
                    Action("xvl", 0, view.period_id, item.code).pack(),
                )
            ]
        )
    buttons.append([Button(_("⬅️ Menu"), menu("menu"))])
    return Screen("\n".join(lines), rows(*buttons))


def item_screen(view: ItemValues) -> Screen:
    item = view.item
    lines = [
        _("🔢 <b>{code} {name}</b>").format(code=escape(item.code), name=escape(item.name)),
        _("{entered}/{expected} units entered · {hint}").format(
            entered=item.entered, expected=item.expected, hint=_range_hint(item)
        ),
    ]
    if item.provider:
        lines.append(_("Provided by: {provider}").format(provider=escape(item.provider)))
    if view.saved is not None:
        lines.append(
            _("✅ Saved: {unit} — {figure}").format(
                unit=escape(view.saved.unit_name), figure=figure_text(item, view.saved.value, view.saved.points)
            )
        )
    lines.append("")
    for unit in view.units:
        mark = "👉 " if view.asking is not None and unit.unit_id == view.asking.unit_id else ""
        lines.append(
            f"{mark}{escape(unit.unit_code)} · {escape(unit.unit_name)}: {figure_text(item, unit.value, unit.points)}"
        )
    if view.pages > 1:
        lines.append(_("Page {page}/{pages}").format(page=view.page + 1, pages=view.pages))
    lines.append("")
    if view.asking is not None:
        lines.append(
            _(
                "✍️ Type the figure of <b>{unit}</b> ({hint}). To record the source too, add it after a semicolon: "
                "0,85; Quyết định số 123/QĐ-SNV."
            ).format(unit=escape(view.asking.unit_name), hint=_range_hint(item))
        )
        if view.note:
            lines.append(_("Source kept for the next figures: {note}").format(note=escape(view.note)))
    else:
        lines.append(_("Every unit has its figure. Tap a unit to change its figure."))
    unit_buttons = [
        Button(unit.unit_code, Action("xvl", 0, view.period_id, item.code, f"u{unit.unit_id}").pack())
        for unit in view.units
    ]
    grouped = [unit_buttons[n : n + UNIT_BUTTONS_PER_ROW] for n in range(0, len(unit_buttons), UNIT_BUTTONS_PER_ROW)]
    paging = []
    if view.page > 0:
        paging.append(Button(_("◀️ Previous"), Action("xvl", 0, view.period_id, item.code, f"p{view.page - 1}").pack()))
    if view.page + 1 < view.pages:
        paging.append(Button(_("Next ▶️"), Action("xvl", 0, view.period_id, item.code, f"p{view.page + 1}").pack()))
    controls = [Button(_("⬅️ Items"), Action("xvl", 0, view.period_id).pack())]
    if view.asking is not None:
        controls.insert(0, Button(_("⏭ Skip this unit"), Action("xvs", 0, view.period_id, item.code).pack()))
        controls.append(Button(_("✖️ Stop"), Action("xvx", 0, view.period_id, item.code).pack()))
    return Screen("\n".join(lines), rows(*grouped, paging, controls))


def stopped_screen() -> Screen:
    return Screen(_("Stopped. The figures entered so far are saved."), rows([Button(_("⬅️ Menu"), menu("menu"))]))


# -- the command line's preview -------------------------------------------------------------------
def _row_messages() -> dict[str, str]:
    return {
        "missing_item_code": _("The sub-index code is missing."),
        "unknown_item_code": _("Sub-index {code} is not in the period's framework."),
        "not_external_item": _(
            "Sub-index {code} is answered by the units themselves; only external items are entered here."
        ),
        "item_not_for_unit": _("Sub-index {code} does not apply to unit {unit}."),
        "duplicate_value": _("Unit {unit}, sub-index {code} is given twice (already on line {first_line})."),
        "missing_external_value": _("The value of sub-index {code} is missing."),
        "external_not_a_number": _("The value of sub-index {code} is not a number: {value}."),
        "external_out_of_range": _("The value of sub-index {code} must be between {low} and {high}, got {value}."),
        "ambiguous_external_value": _(
            "The value “{value}” of sub-index {code} can be read two ways: "
            "write it without thousands dots, e.g. 1500 or 1,5."
        ),
        "note_too_long": _("The note is longer than {limit} characters."),
        "values_file_too_big": _("The file is larger than {limit} MB: a file of figures is only a few kilobytes."),
        "values_too_many_rows": _("The file has more than {limit} rows: split it into several files."),
    }


def row_error(error: InputFileError) -> str:
    template = _row_messages().get(error.reason)
    if template is None:
        return input_file_error(error)
    details = {k: (typed_number(v) if isinstance(v, Decimal) else v) for k, v in error.details.items()}
    return _("Line {line}: {message}").format(line=error.line, message=template.format(**details))


def preview_lines(preview: ImportPreview) -> list[str]:
    """What `dti-bot values import` prints: every row, good or refused, then the counts."""
    lines = [_("Period {id}: {title}").format(id=preview.period_id, title=preview.period_title)]
    lines += [row_error(e) for e in preview.file_errors]
    for row in preview.rows:
        lines.append(_row_line(row))
    good, refused = preview.good, preview.refused
    changing = sum(1 for r in good if not r.unchanged)
    if preview.applied:
        lines.append(
            _("Saved {saved} figures ({same} unchanged); {refused} rows refused.").format(
                saved=changing, same=len(good) - changing, refused=len(refused)
            )
        )
    else:
        lines.append(
            _("{good} rows can be saved ({same} unchanged); {refused} rows refused.").format(
                good=len(good), same=len(good) - changing, refused=len(refused)
            )
        )
    return lines


def _row_line(row: ImportRow) -> str:
    if row.error is not None:
        return "✖ " + row_error(row.error)
    value = typed_number(row.value) if row.value is not None else "—"
    points = vn_points(row.points) if row.points is not None else "—"
    note = f" — {row.note}" if row.note else ""
    same = _(" (unchanged)") if row.unchanged else ""
    return _("✔ Line {line}: {unit} · {code} = {value} ({points} points){note}{same}").format(
        line=row.line, unit=row.unit_code, code=row.code, value=value, points=points, note=note, same=same
    )
