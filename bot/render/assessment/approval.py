"""The unit leader's approval of the self-assessment: the summary the leader decides on, the
message a leader gets when the focal points submit, and the one the focal points get back."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.campaign.notices import as_payload
from bot.render.labels import period_state_label
from bot.render.numbers import vn_datetime
from bot.render.screen import Button, Screen, rows
from bot.services.assessment.approval import (
    APPROVED,
    NONE,
    RETURNED,
    WAITING,
    ApprovalChoice,
    ApprovalView,
    DecisionNotice,
    SubmissionNotice,
)
from bot.wording import vn_points

EXPLANATIONS_SHOWN = 8
EXPLANATION_CHARS = 200


def approval_state_label(state: str) -> str:
    return {
        NONE: _("not submitted to the leader yet"),
        WAITING: _("waiting for the leader's approval"),
        APPROVED: _("approved by the leader"),
        RETURNED: _("returned to the focal points"),
        "reopened": _("reopened by the coordinator"),
    }.get(state, state)


def _codes(items: tuple[tuple[Any, ...], ...]) -> str:
    return ", ".join(escape(item[0]) for item in items)


def approval_screen(view: ApprovalView) -> Screen:
    """The unit's self-assessment as the leader decides on it."""
    lines = []
    if view.notice == APPROVED:
        lines += [_("✅ Approved: the self-assessment goes to the appraisers. The focal points were told."), ""]
    elif view.notice == RETURNED:
        lines += [_("↩️ Returned to the focal points with your comment; they were told."), ""]
    lines += [
        _("🖊 <b>Self-assessment for approval</b> — {unit}").format(unit=escape(view.unit_name)),
        escape(view.period_title) + " · " + period_state_label(view.period_state),
    ]
    state = _("Status: {state}").format(state=approval_state_label(view.state))
    if view.since is not None:
        state += " " + _("({when}, {who})").format(when=vn_datetime(view.since), who=escape(view.by or "—"))
    lines.append(state)
    if view.state == RETURNED and view.comment:
        lines.append(_("Comment: “{comment}”").format(comment=escape(view.comment)))
    lines += [
        "",
        _("Self-scored total: <b>{points}/{max}</b> · answered {answered}/{total} items").format(
            points=vn_points(view.points), max=vn_points(view.max_points), answered=view.answered, total=view.total
        ),
    ]
    lines += [
        f"{escape(i.code)}. {escape(i.name)}: {vn_points(i.points)}/{vn_points(i.max_points)}" for i in view.indices
    ]
    if view.missing_evidence:
        lines.append(_("⚠️ Evidence missing: {codes}").format(codes=_codes(view.missing_evidence)))
    if view.unanswered:
        lines.append(_("⬜ Not answered (count as 0): {codes}").format(codes=_codes(view.unanswered)))
    if view.explanations:
        lines.append(_("📝 Explanations of the unit:"))
        for code, _name, text in view.explanations[:EXPLANATIONS_SHOWN]:
            short = text if len(text) <= EXPLANATION_CHARS else text[: EXPLANATION_CHARS - 1] + "…"
            lines.append(f"• {escape(code)}: {escape(short)}")
        if len(view.explanations) > EXPLANATIONS_SHOWN:
            lines.append(
                _("… and {count} more explanations.").format(count=len(view.explanations) - EXPLANATIONS_SHOWN)
            )
    unit, period = view.unit_id, view.period_id
    if not view.can_decide:
        if view.state == NONE:
            lines += ["", _("The focal points have not submitted the self-assessment yet.")]
        return Screen("\n".join(lines), rows([Button(_("🏠 Main menu"), menu("menu"))]))
    if view.confirming:
        lines += [
            "",
            _("Approve the self-assessment of {unit}? It then goes to the appraisers.").format(
                unit=escape(view.unit_name)
            ),
        ]
        return Screen(
            "\n".join(lines),
            rows(
                [
                    Button(_("✅ Yes, approve"), Action("apa", unit, period).pack()),
                    Button(_("✖️ Cancel"), Action("apv", unit, period).pack()),
                ]
            ),
        )
    return Screen(
        "\n".join(lines),
        rows(
            [
                Button(_("✅ Approve"), Action("apv", unit, period, "", "confirm").pack()),
                Button(_("↩️ Return with a comment"), Action("apr", unit, period).pack()),
            ],
            [Button(_("🏠 Main menu"), menu("menu"))],
        ),
    )


def ask_return_comment(view: ApprovalView) -> Screen:
    return Screen(
        _(
            "Type your comment for the focal points of {unit}: what to correct or complete before they submit again."
        ).format(unit=escape(view.unit_name)),
        rows([Button(_("✖️ Cancel"), Action("apx", view.unit_id, view.period_id).pack())]),
    )


def choice_screen(choice: ApprovalChoice) -> Screen:
    """A leader of several units: where each unit's self-assessment stands."""
    lines = [_("🖊 <b>Self-assessments for approval</b>")]
    buttons = []
    for unit_id, name, period_id, state in choice.units:
        lines.append(f"• {escape(name)}: {approval_state_label(state)}")
        buttons.append([Button(name[:48], Action("apv", unit_id, period_id).pack())])
    if not choice.units:
        lines.append(_("No assessment period is open for your units yet."))
    buttons.append([Button(_("🏠 Main menu"), menu("menu"))])
    return Screen("\n".join(lines), rows(*buttons))


def leader_notice(notice: SubmissionNotice) -> dict[str, Any]:
    """A leader's message when the focal points submit: a button to the summary."""
    text = _(
        "📨 {who} submitted the self-assessment of {unit} ({count} items) for your approval. Please review "
        "it: it reaches the appraisers only once you approve it."
    ).format(who=escape(notice.submitted_by or "—"), unit=escape(notice.unit_name), count=notice.count)
    button = Button(_("🖊 Review and approve"), Action("apv", notice.unit_id, notice.period_id).pack())
    return as_payload(Screen(text, rows([button])))


def decision_notice(notice: DecisionNotice) -> dict[str, Any]:
    """The focal points' message: approved, or returned with the leader's comment."""
    if notice.approved:
        text = _("✅ {leader} approved the self-assessment of {unit}: it now goes to the appraisers.").format(
            leader=escape(notice.leader), unit=escape(notice.unit_name)
        )
    else:
        text = _(
            "↩️ {leader} returned the self-assessment of {unit}: “{comment}”. Please correct it and submit again."
        ).format(leader=escape(notice.leader), unit=escape(notice.unit_name), comment=escape(notice.comment))
    button = Button(_("📊 Open the summary"), Action("smy", notice.unit_id, notice.period_id).pack())
    return as_payload(Screen(text, rows([button])))
