"""Help, unknown input and "/tiep" for whoever is not a focal point — per role. A person may hold
several roles: each section shows only when the permission table (bot.services.permissions) allows
its actions, and each line names only a command or a button the person may use."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.i18n import N_, _
from bot.render.actions import menu
from bot.render.campaign.notices import time_left
from bot.render.campaign.phases import phase_line
from bot.render.labels import period_state_label, role_label
from bot.render.numbers import vn_date
from bot.render.screen import Button, Screen, rows
from bot.services.access import Actor
from bot.services.campaign.glance import Glance
from bot.services.permissions import UNIT_SCOPED, Action
from scoring.states import PeriodState

# The menu's button labels, by the key their button carries (bot.render.menu builds the menu from them).
LABELS: dict[str, str] = {
    "assess": N_("📝 Self-assessment"),
    "list": N_("📋 All items"),
    "summary": N_("📊 Summary and submit"),
    "report": N_("📄 Report"),
    "approve": N_("🖊 Approve the self-assessment"),
    "rank": N_("🏆 Ranking"),
    "weakest": N_("📉 Weakest items"),
    "overview": N_("📋 Overview"),
    "charts": N_("📊 Charts"),
    "review": N_("🔎 Review queue"),
    "progress": N_("📈 Progress"),
    "council": N_("🏛 Appraisal council"),
    "appraisers": N_("🧭 Assign appraisers"),
    "council_objections": N_("⚖️ Objections"),
    "values": N_("🔢 Agencies' figures"),
    "objections": N_("✋ Object to a result"),
    "broadcast": N_("📣 Send a message"),
    "reminders": N_("⏰ Reminders"),
    "phase": N_("🗓 Phases"),
    "export": N_("📦 Export data"),
    "people": N_("👥 People"),
    "import_units": N_("📥 Import units"),
    "import_invites": N_("✉️ Invite people"),
    "frameworks": N_("📚 Publish a framework"),
    "digest": N_("🔔 Weekly digest on/off"),
}


def may_here(actor: Actor, action: Action) -> bool:
    """Unit-scoped actions in the unit the person works for (none while they have to choose one)."""
    if action in UNIT_SCOPED:
        unit = actor.unit
        return unit is not None and actor.may(action, unit.unit_id)
    return actor.may(action)


def _button(key: str) -> str:
    return "“" + _(LABELS[key]) + "”"


# Sections: a title, then lines, each shown only with the action it names.
Line = tuple[Action, Callable[[], str]]
SECTIONS: tuple[tuple[str, tuple[Line, ...]], ...] = (
    (
        N_("📝 <b>Self-assessment</b>"),
        (
            (
                Action.ANSWER,
                lambda: _(
                    "/tiep — continue where you stopped: type the figure or tap an option; send a photo, a file or a "
                    "link as evidence, or cite a document (number, date, summary)."
                ),
            ),
            (
                Action.ANSWER,
                lambda: _("{items} — go to any item; {summary} — check and send to the reviewers.").format(
                    items=_button("list"), summary=_button("summary")
                ),
            ),
            (
                Action.ANSWER,
                lambda: _(
                    "Where the period asks for it, a submission goes to your unit's leader first, who approves it "
                    "for the appraisal or returns it with a comment; the summary shows where it stands."
                ),
            ),
            (
                Action.ANSWER,
                lambda: _(
                    "Items the appraisers send back can still be answered after the deadline, until the supplement "
                    "deadline."
                ),
            ),
        ),
    ),
    (
        N_("🏆 <b>Your unit's results</b>"),
        (
            (
                Action.VIEW_RESULTS,
                lambda: _(
                    "{rank}, {weakest}, {overview}, {charts} — provisional until the results are published."
                ).format(
                    rank=_button("rank"),
                    weakest=_button("weakest"),
                    overview=_button("overview"),
                    charts=_button("charts"),
                ),
            ),
            (
                Action.VIEW_RESULTS,
                lambda: _(
                    "Or ask in words, with or without accents: “đứng thứ mấy”, “điểm của mình bao nhiêu”, “so với năm "
                    "ngoái”, “đơn vị nào dẫn đầu”, “nếu 6.2 đạt tối đa thì sao”."
                ),
            ),
            (
                Action.OBJECT,
                lambda: _(
                    "{objections} — while the provisional results are published, object to an item's points with "
                    "a reason and evidence; the council's answer comes here."
                ).format(objections=_button("objections")),
            ),
            (
                Action.UNIT_REPORT,
                lambda: _("{report} — the unit's self-assessment report (Word).").format(report=_button("report")),
            ),
            (
                Action.DIGEST,
                lambda: _("{digest} — a summary of your unit every Monday.").format(digest=_button("digest")),
            ),
        ),
    ),
    (
        N_("🖊 <b>Approval</b>"),
        (
            (
                Action.APPROVE,
                lambda: _(
                    "{approve} — review what the focal points submitted: approve it for the appraisal, or return it "
                    "with a comment."
                ).format(approve=_button("approve")),
            ),
        ),
    ),
    (
        N_("🔎 <b>Review</b>"),
        (
            (
                Action.REVIEW,
                lambda: _("{review} — accept an item, correct its points or send it back for supplement.").format(
                    review=_button("review")
                ),
            ),
            (
                Action.REVIEW,
                lambda: _(
                    "The queue holds the indices assigned to you, one unit at a time; “⏭” moves on, and the items "
                    "with complete evidence can be accepted together."
                ),
            ),
            (
                Action.COUNCIL,
                lambda: _(
                    "{council} — progress per appraiser and per unit, closing the appraisal; {objections} — answer "
                    "the units' objections."
                ).format(council=_button("council"), objections=_button("council_objections")),
            ),
            (
                Action.ASSIGN_APPRAISERS,
                lambda: _("{appraisers} — which indices each appraiser checks.").format(
                    appraisers=_button("appraisers")
                ),
            ),
        ),
    ),
    (
        N_("📣 <b>Coordinating</b>"),
        (
            (
                Action.ENTER_VALUES,
                lambda: _("{values} — enter the figures other agencies provide.").format(values=_button("values")),
            ),
            (
                Action.VIEW_PROGRESS,
                lambda: _("{progress} — how far each unit is, least complete first (or ask “tiến độ”).").format(
                    progress=_button("progress")
                ),
            ),
            (
                Action.MOVE_PHASE,
                lambda: _("{phase} — the period's phase and dates; move it to the next phase.").format(
                    phase=_button("phase")
                ),
            ),
            (
                Action.MOVE_PHASE,
                lambda: _(
                    "The phases: self-assessment, appraisal (units supplement what was sent back), provisional "
                    "results (units may object), final results. Going back a phase needs a reason."
                ),
            ),
            (
                Action.BROADCAST,
                lambda: _("{broadcast} — to all focal points, the units behind, a cohort or the leaders.").format(
                    broadcast=_button("broadcast")
                ),
            ),
            (
                Action.BROADCAST,
                lambda: _(
                    "Send it now, at 08:00, or at a day and time you type (e.g. 25/11/2026 14:00); a scheduled "
                    "message can be cancelled from the same button until it goes."
                ),
            ),
            (
                Action.BROADCAST,
                lambda: _("On the progress screen, “🔔 Remind …” reminds one late unit's focal points."),
            ),
            (
                Action.SET_REMINDERS,
                lambda: _("{reminders} — when the bot reminds the units that are behind.").format(
                    reminders=_button("reminders")
                ),
            ),
        ),
    ),
    (
        N_("⚙️ <b>Administration</b>"),
        (
            (Action.EXPORT, lambda: _("{export} — every answer and evidence file.").format(export=_button("export"))),
            (Action.MANAGE_PEOPLE, lambda: _("{people} — who holds which role.").format(people=_button("people"))),
            (
                Action.IMPORT_UNITS,
                lambda: _("{units} — create or update units from a sheet.").format(units=_button("import_units")),
            ),
            (
                Action.INVITE,
                lambda: _("{invite} — invitation links from a sheet.").format(invite=_button("import_invites")),
            ),
            (
                Action.PUBLISH_FRAMEWORK,
                lambda: _("{frameworks} — check and publish a framework workbook.").format(
                    frameworks=_button("frameworks")
                ),
            ),
        ),
    ),
)

# The buttons that take a person straight to their main tasks: a row per kind of work.
SHORTCUTS: tuple[tuple[tuple[Action, str], ...], ...] = (
    ((Action.ANSWER, "assess"),),
    ((Action.APPROVE, "approve"),),
    ((Action.VIEW_RESULTS, "rank"), (Action.VIEW_RESULTS, "weakest")),
    ((Action.REVIEW, "review"), (Action.VIEW_PROGRESS, "progress")),
)


def roles_line(actor: Actor) -> str:
    """ "Đơn vị: Sở Nội vụ (lãnh đạo)", or the campaign-wide roles."""
    unit = actor.unit
    if unit is not None:
        roles = sorted(actor.roles_in(unit.unit_id))
        return _("Unit: {unit} ({roles})").format(
            unit=escape(unit.unit_name), roles=", ".join(role_label(r) for r in roles)
        )
    if actor.needs_unit_choice:
        return _("You belong to several units: choose the one you work for now.")
    roles = sorted({r.role for r in actor.roles})
    return _("Role: {roles}").format(roles=", ".join(role_label(r) for r in roles))


def commands_line(actor: Actor) -> str:
    if may_here(actor, Action.ANSWER):
        return _("Commands: /menu — main menu, /tiep — continue, /help — this help.")
    return _("Commands: /menu — main menu, /help — this help.")


def help_screen(actor: Actor) -> Screen:
    parts = [_("<b>What you can do here</b>") + "\n" + roles_line(actor)]
    for title, lines in SECTIONS:
        shown = [f"• {text()}" for action, text in lines if may_here(actor, action)]
        if shown:
            parts.append("\n".join([_(title), *shown]))
    if actor.may(Action.DEADLINE):
        parts.append(_("Ask “bao giờ hết hạn” for the deadline."))
    parts.append(commands_line(actor))
    return Screen("\n\n".join(parts), _shortcut_rows(actor, with_help=False))


def unknown_input_screen(actor: Actor | None = None) -> Screen:
    """Anything not understood: what this person can type or tap instead, never a dead end."""
    if actor is None:
        return Screen(
            _(
                "I did not understand that. Use the buttons, or: /tiep — continue the self-assessment, /menu — main "
                "menu, /help — help."
            ),
            rows([Button(_("🏠 Main menu"), menu("menu"))]),
        )
    lines = [_("I did not understand that. You can:")]
    if may_here(actor, Action.ANSWER):
        lines.append(_("• /tiep — continue the self-assessment;"))
    if may_here(actor, Action.VIEW_RESULTS):
        lines.append(_("• ask: “xếp hạng”, “chỉ số nào yếu nhất”, “biểu đồ”, “nếu 6.2 đạt tối đa thì sao”;"))
    if actor.may(Action.VIEW_PROGRESS):
        lines.append(_("• ask: “tiến độ”, “bao giờ hết hạn”;"))
    lines.append(_("• /menu — main menu, /help — help."))
    return Screen("\n".join(lines), _shortcut_rows(actor))


def not_a_focal_point_screen(actor: Actor, glance: Glance | None = None) -> Screen:
    """/tiep (or "làm tiếp") from someone who does not answer the unit's items: where the unit stands
    and what they can do instead."""
    lines = [_("/tiep is for focal points: it continues the unit's self-assessment.")]
    if glance is not None:
        lines += glance_lines(glance)
    if may_here(actor, Action.VIEW_RESULTS):
        lines.append(_("You can follow your unit's results: ranking, weakest items, overview and charts."))
    else:
        lines.append(_("Your tools are below and in the /menu."))
    return Screen("\n".join(lines), _shortcut_rows(actor))


def no_unit_results_screen(actor: Actor) -> Screen:
    """A question about a unit's results ("xếp hạng") from someone with no unit of their own."""
    return Screen(
        _("A unit's results (ranking, points, charts) are shown to its leaders and focal points.")
        + "\n"
        + _("Your tools are below and in the /menu."),
        _shortcut_rows(actor),
    )


def glance_lines(glance: Glance) -> list[str]:
    """The deadline and the days left (after the self-assessment: the phase's sentence, e.g. "Đang thẩm
    định; đơn vị bổ sung hồ sơ đến 15/12/2026."), the unit's progress, the units that have submitted."""
    lines = []
    if glance.deadline is not None and glance.days_left is not None:
        if glance.period_state == PeriodState.OPEN:
            lines.append(
                _("⏳ Deadline: {deadline} — {when}").format(
                    deadline=vn_date(glance.deadline), when=time_left(glance.days_left)
                )
            )
        elif glance.today is not None:  # after the self-assessment: the phase and its dates in one sentence
            lines.append("🗓 " + phase_line(glance, glance.today))
        else:
            lines.append(_("⏳ The period is {state}.").format(state=period_state_label(glance.period_state)))
    if glance.total is not None:
        lines.append(unit_progress_line(glance))
    if glance.units_total:
        lines.append(
            _("📈 {done}/{total} units have submitted.").format(done=glance.units_submitted, total=glance.units_total)
        )
    return lines


def unit_progress_line(glance: Glance) -> str:
    answered, total, submitted = glance.answered or 0, glance.total or 0, glance.submitted or 0
    if total and submitted >= total:
        return _("✅ Your unit has submitted all {total} items.").format(total=total)
    if not submitted:
        return _("📝 Your unit: {answered}/{total} items answered, not submitted yet.").format(
            answered=answered, total=total
        )
    return _("📝 Your unit: {answered}/{total} items answered, {submitted} submitted.").format(
        answered=answered, total=total, submitted=submitted
    )


def _shortcut_rows(actor: Actor, with_help: bool = True) -> tuple[tuple[Button, ...], ...]:
    shortcuts = [
        [Button(_(LABELS[key]), menu(key)) for action, key in row if may_here(actor, action)] for row in SHORTCUTS
    ]
    extra = [Button(_("🔁 Change unit"), menu("units"))] if actor.needs_unit_choice else []
    return rows(
        *shortcuts,
        extra,
        [Button(_("🏠 Main menu"), menu("menu")), *([Button(_("❓ Help"), menu("help"))] if with_help else [])],
    )
