"""The council chair's screens: appraisal progress per appraiser and per unit, closing the
appraisal; and the coordinators' assignment of appraisers to indices."""

from __future__ import annotations

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
    person = str(view.appraiser.person_id)
    lines = [
        _("🧭 <b>{name}</b> — {period}").format(
            name=escape(view.appraiser.full_name or "—"), period=escape(view.period_title)
        ),
        _("Tick the indices this appraiser appraises (in every cohort), then save."),
    ]
    if view.others:
        lines.append(
            _("Also assigned (set on the command line, kept): {scopes}.").format(scopes=scopes_text(view.others))
        )
    toggles = [
        Button(
            ("☑️ " if index.code in view.chosen else "⬜ ") + f"{index.code}. {index.name}",
            Action("ast", 0, view.period_id, index.code, person).pack(),
        )
        for index in view.framework.indices
    ]
    return Screen(
        "\n".join(lines),
        rows(
            *[[t] for t in toggles],
            [
                Button(_("💾 Save"), Action("asv", 0, view.period_id, arg=person).pack()),
                Button(_("✖️ Cancel"), Action("asg", 0, view.period_id).pack()),
            ],
        ),
    )


def saved_notice(result: Assignment) -> str:
    return _("✅ Saved: {name} appraises {scopes}.").format(
        name=escape(result.appraiser.full_name or "—"), scopes=scopes_text(result.appraiser.scopes)
    )
