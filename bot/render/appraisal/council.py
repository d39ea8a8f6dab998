"""The council chair's screens: appraisal progress per appraiser and per unit, closing the
appraisal; and the coordinators' assignment of appraisers to indices."""

from __future__ import annotations

import re
from html import escape

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.appraisal.review import scopes_text
from bot.render.campaign.phases import move_warning
from bot.render.labels import period_state_label
from bot.render.screen import Button, Screen, rows
from bot.services.appraisal.council import Council, UnitProgress
from bot.services.appraisal.domain import Appraiser, Assignment, Editing
from scoring.states import PeriodState

UNITS_SHOWN = 20
_FITS = re.compile(r"^[A-Za-z0-9._-]{1,16}$")  # a cohort code that fits in a button's code


def council_screen(view: Council, notice: str = "") -> Screen:
    lines = [notice, ""] if notice else []
    lines += [
        _("🏛 <b>Appraisal council</b> — {title}").format(title=escape(view.title)),
        _("Phase: {state}.").format(state=period_state_label(view.state)),
        _("Waiting: {waiting} items · decided: {decided} items.").format(waiting=view.waiting, decided=view.decided),
    ]
    if view.uncovered:
        lines.append(
            _("⚠️ {count} waiting items are in no appraiser's domain: assign them.").format(count=view.uncovered)
        )
    lines += ["", _("<b>By appraiser</b>")]
    lines += [
        _("• {name} ({scopes}): {counts}").format(
            name=escape(a.full_name or "—"), scopes=scopes_text(a.scopes), counts=_counts(a.waiting, a.decided)
        )
        for a in view.appraisers
    ] or [_("No appraiser has been invited yet.")]
    lines += ["", _("<b>By unit</b>")]
    lines += [_unit_line(u) for u in view.units[:UNITS_SHOWN]] or [
        _("No self-assessment has reached the appraisal yet.")
    ]
    if len(view.units) > UNITS_SHOWN:
        lines.append(_("… and {count} more units.").format(count=len(view.units) - UNITS_SHOWN))
    buttons = [[Button(_("🧭 Assign appraisers"), Action("asg", 0, view.period_id).pack())]]
    if view.state == PeriodState.LOCKED:
        buttons.append([Button(_("🔒 Close the appraisal"), Action("cnl", 0, view.period_id, arg="ask").pack())])
    buttons.append([Button(_("🔄 Refresh"), menu("council")), Button(_("🏠 Main menu"), menu("menu"))])
    return Screen("\n".join(lines), rows(*buttons))


def _counts(waiting: int, decided: int, sent_back: int = 0) -> str:
    """ "chờ 10 · đã thẩm định 10 (đề nghị bổ sung 1)" — a count of 0 is left out."""
    counts = []
    if waiting:
        counts.append(_("waiting {count}").format(count=waiting))
    if decided:
        text = _("decided {count}").format(count=decided)
        if sent_back:
            text += " " + _("(sent back {count})").format(count=sent_back)
        counts.append(text)
    return " · ".join(counts) or _("nothing yet")


def _unit_line(unit: UnitProgress) -> str:
    return _("• {unit}: {counts}").format(
        unit=escape(unit.unit_name), counts=_counts(unit.waiting, unit.decided, unit.sent_back)
    )


def close_question(view: Council) -> Screen:
    lines = [
        _(
            "Close the appraisal of {title}? The period moves to provisional results: every unit is told its "
            "points and rank and may object until the feedback deadline."
        ).format(title=escape(view.title))
    ]
    warning = move_warning(view.check)
    if warning and view.check is not None and view.check.waiting:
        lines.append(_("Items not appraised count at their self-scored points."))
    if warning:
        lines += ["", warning]
    elif view.waiting:  # asked without the day: the waiting items at least
        lines.append(
            _("⚠️ {count} items are still waiting: they count at their self-scored points.").format(count=view.waiting)
        )
    return Screen(
        "\n".join(lines),
        rows(
            [
                Button(_("🔒 Close the appraisal"), Action("cnl", 0, view.period_id, arg="ok").pack()),
                Button(_("✖️ Cancel"), menu("council")),
            ]
        ),
    )


def appraisers_screen(period_title: str, people: list[Appraiser], period_id: int, notice: str = "") -> Screen:
    lines = [notice, ""] if notice else []
    lines.append(_("🧭 <b>Assign appraisers</b> — {period}").format(period=escape(period_title)))
    if not people:
        lines.append(_("Nobody holds the appraiser role yet: invite appraisers first."))
        return Screen("\n".join(lines), rows([Button(_("🏠 Main menu"), menu("menu"))]))
    lines += [
        _("• {name}: {scopes}").format(name=escape(a.full_name or "—"), scopes=scopes_text(a.scopes)) for a in people
    ]
    lines.append(_("Choose an appraiser to set the indices they appraise:"))
    buttons = [
        [Button(a.full_name or str(a.telegram_id), Action("asg", 0, period_id, arg=f"p{a.person_id}").pack())]
        for a in people
    ]
    buttons.append([Button(_("🏛 Appraisal council"), menu("council")), Button(_("🏠 Main menu"), menu("menu"))])
    return Screen("\n".join(lines), rows(*buttons))


def editing_screen(view: Editing) -> Screen:
    """One appraiser's domain being edited: the cohort row, then the indices (or one index's
    sub-indices when it is open), then save."""
    person = str(view.appraiser.person_id)
    cohort_name = dict(view.cohorts).get(view.cohort, view.cohort) if view.cohort else _("all cohorts")
    lines = [
        _("🧭 <b>{name}</b> — {period}").format(
            name=escape(view.appraiser.full_name or "—"), period=escape(view.period_title)
        ),
        _("Applies to: <b>{cohort}</b>.").format(cohort=escape(cohort_name)),
    ]
    if view.open:
        index = view.framework.index(view.open)
        lines.append(
            _("Index <b>{code}. {name}</b>: tick the sub-indices this appraiser appraises.").format(
                code=escape(index.code), name=escape(index.name)
            )
        )
    elif any(index.sub_indices for index in view.framework.indices):
        lines.append(_("Tick whole indices, or open “1.x ›” to tick some sub-indices; then save."))
    else:
        lines.append(_("Tick the indices this appraiser appraises, then save."))
    if view.others:
        lines.append(_("Also assigned: {scopes}.").format(scopes=scopes_text(view.others)))
    buttons = _cohort_rows(view, person) + (_sub_rows(view, person) if view.open else _index_rows(view, person))
    save = Button(_("💾 Save"), Action("asv", 0, view.period_id, arg=person).pack())
    if view.open:
        buttons.append([Button(_("⬅️ Indices"), Action("aso", 0, view.period_id, "", person).pack()), save])
    else:
        buttons.append([save, Button(_("✖️ Cancel"), Action("asg", 0, view.period_id).pack())])
    return Screen("\n".join(lines), rows(*buttons))


def _cohort_rows(view: Editing, person: str) -> list[list[Button]]:
    """ "Tất cả khối" and each cohort by its name, two a row; the one shown ticked. A cohort whose code
    does not fit in a button is left out (the command line assigns it)."""
    if not view.cohorts:
        return []
    choices = [("", _("All cohorts"))] + [(c, n) for c, n in view.cohorts if _FITS.match(c)]
    buttons = [
        Button(
            ("🔘 " if code == view.cohort else "") + name[:1].upper() + name[1:],
            Action("asc", 0, view.period_id, code, person).pack(),
        )
        for code, name in choices
    ]
    return [buttons[n : n + 2] for n in range(0, len(buttons), 2)]


def _index_rows(view: Editing, person: str) -> list[list[Button]]:
    """An index a row: ☑️ whole, ◐ some of its sub-indices (2/3), ⬜ none; then "1.x ›" to open one."""
    toggles = []
    for index in view.framework.indices:
        some = len(view.ticked(index.code))
        if view.whole(index.code):
            label = f"☑️ {index.code}. {index.name}"
        elif some:
            label = f"◐ {index.code}. {index.name} ({some}/{len(index.sub_indices)})"
        else:
            label = f"⬜ {index.code}. {index.name}"
        toggles.append([Button(label, Action("ast", 0, view.period_id, index.code, person).pack())])
    opens = [
        Button(f"{index.code}.x ›", Action("aso", 0, view.period_id, index.code, person).pack())
        for index in view.framework.indices
        if index.sub_indices
    ]
    return toggles + [opens[n : n + 6] for n in range(0, len(opens), 6)]


def _sub_rows(view: Editing, person: str) -> list[list[Button]]:
    """The open index: the whole index, then each of its sub-indices."""
    index = view.framework.index(view.open)
    ticked = view.ticked(index.code)
    whole = view.whole(index.code)
    buttons = [
        [
            Button(
                ("☑️ " if whole else "⬜ ") + _("Whole index {code}").format(code=index.code),
                Action("ast", 0, view.period_id, index.code, person).pack(),
            )
        ]
    ]
    buttons += [
        [
            Button(
                ("☑️ " if sub.code in ticked else "⬜ ") + f"{sub.code} {sub.name}",
                Action("ast", 0, view.period_id, sub.code, person).pack(),
            )
        ]
        for sub in index.sub_indices
    ]
    return buttons


def saved_notice(result: Assignment) -> str:
    return _("✅ Saved: {name} appraises {scopes}.").format(
        name=escape(result.appraiser.full_name or "—"), scopes=scopes_text(result.appraiser.scopes)
    )
