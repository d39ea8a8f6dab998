"""The period's phases in words: one sentence for every screen (`phase_line`), the coordinator's
"🗓 Giai đoạn" screen with its next move, and the results notices sent when results are published."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.campaign.notices import as_payload
from bot.render.labels import period_state_label
from bot.render.numbers import vn_date
from bot.render.screen import Button, Screen, rows
from bot.services.campaign.periods import PHASES, MoveCheck, PhaseMove, PhaseView, ResultsNotice
from bot.wording import vn_points
from scoring.states import PeriodState


def phase_line(period: Any, today: date) -> str:
    """One sentence on where the period stands, for the menu, the cards and the leader's screens,
    e.g. "Đang thẩm định; đơn vị bổ sung hồ sơ đến 15/12/2026." `period` needs `state` and
    `deadline` (or `period_state`, as a menu's glance has it), and may carry `supplement_deadline` and
    `feedback_deadline` (a Period, a PeriodInfo)."""
    state = getattr(period, "state", None) or getattr(period, "period_state", None)
    deadline = getattr(period, "deadline", None)
    supplement = getattr(period, "supplement_deadline", None)
    feedback = getattr(period, "feedback_deadline", None)
    if state == PeriodState.DRAFT:
        return _("The assessment period is being prepared; the self-assessment has not opened yet.")
    if state == PeriodState.OPEN:
        if deadline is not None and today > deadline:
            return _("The self-assessment deadline ({date}) has passed; the appraisal starts soon.").format(
                date=vn_date(deadline)
            )
        return _("Self-assessment in progress; answers are due by {date}.").format(date=vn_date(deadline))
    if state == PeriodState.LOCKED:
        if supplement is None:
            return _("Appraisal in progress.")
        if today > supplement:
            return _("Appraisal in progress; the supplement window closed on {date}.").format(date=vn_date(supplement))
        return _("Appraisal in progress; units may supplement their files until {date}.").format(
            date=vn_date(supplement)
        )
    if state == PeriodState.PROVISIONAL:
        if feedback is None:
            return _("Provisional results are published.")
        if today > feedback:
            return _("Provisional results; objections closed on {date}, the final results come next.").format(
                date=vn_date(feedback)
            )
        return _("Provisional results are published; units may object until {date}.").format(date=vn_date(feedback))
    if state == PeriodState.PUBLISHED:
        return _("Final results are published; the period is closed.")
    return ""


def _phase_name(state: str) -> str:
    """The phase as the object of "move to …"."""
    return {
        PeriodState.OPEN: _("self-assessment"),
        PeriodState.LOCKED: _("appraisal"),
        PeriodState.PROVISIONAL: _("provisional results"),
        PeriodState.PUBLISHED: _("final results"),
    }.get(state, state)


def _move_label(move: str) -> str:
    return {
        "start": _("▶️ Open the self-assessment"),
        "appraisal": _("➡️ Move to appraisal"),
        "provisional": _("📢 Publish provisional results"),
        "final": _("🏁 Publish final results"),
    }.get(move, move)


def _move_effect(move: str, view: PhaseView, until: date | None) -> str:
    period = view.period
    if move == "start":
        return _("Focal points can answer from now until the deadline, {date}.").format(date=vn_date(period.deadline))
    if move == "appraisal":
        text = _("Answers become read-only; items the appraisers send back can be supplemented until {date}.").format(
            date=vn_date(until) if until else "—"
        )
        if period.unit_approval:
            text += " " + _("Appraisers see only self-assessments the unit's leader approved.")
        return text
    if move == "provisional":
        text = _(
            "Every unit's focal points and leaders are told their points and rank; units may object until {date}."
        ).format(date=vn_date(until) if until else "—")
        if view.window_days and until:  # "… đến hết ngày 01/12/2026 (5 ngày làm việc kể từ ngày công bố …)."
            window = _("({days} working days counted from the day the provisional results are published)")
            text = f"{text.removesuffix('.')} {window.format(days=view.window_days)}."
        return text
    if move == "final":
        return _("The final results are published and the period is locked; every unit is told its final rank.")
    return ""


def _approval_line(view: PhaseView) -> str:
    if not view.period.unit_approval:
        return _("The unit leader's approval is not required in this period.")
    counts = view.approvals
    return _("Unit leaders' approval: {approved} approved · {waiting} waiting · {returned} returned.").format(
        approved=counts.get("approved", 0), waiting=counts.get("waiting", 0), returned=counts.get("returned", 0)
    )


def phase_screen(view: PhaseView, today: date, notice: str = "") -> Screen:
    """The coordinator's "🗓 Giai đoạn" screen: the phase, its dates, and the next move as a button."""
    period = view.period
    lines = [notice, ""] if notice else []
    lines += [
        _("🗓 <b>Phases of the assessment period</b>"),
        escape(period.title),
        _("Current phase: <b>{phase}</b>").format(phase=period_state_label(period.state)),
        phase_line(period, today),
        "",
        _("Self-assessment deadline: {date}").format(date=vn_date(period.deadline)),
    ]
    later = PHASES.index(period.state) if period.state in PHASES else 0
    if period.supplement_deadline and later >= PHASES.index(PeriodState.LOCKED):
        lines.append(_("Supplements until: {date}").format(date=vn_date(period.supplement_deadline)))
    if period.feedback_deadline and later >= PHASES.index(PeriodState.PROVISIONAL):
        lines.append(_("Objections until: {date}").format(date=vn_date(period.feedback_deadline)))
    lines.append(_approval_line(view))
    buttons: list[list[Button]] = []
    if view.next_move:
        lines += ["", _("Next step: {effect}").format(effect=_move_effect(view.next_move, view, view.next_until))]
        buttons.append([Button(_move_label(view.next_move), Action("phm", 0, period.id, "", view.next_move).pack())])
    if view.back_to:
        label = _("↩️ Back to {phase}").format(phase=_phase_name(view.back_to))
        buttons.append([Button(label, Action("phr", 0, period.id).pack())])
    for other_id, title, _state in view.others[:3]:
        short = title if len(title) <= 24 else title.rsplit(" — ", 1)[-1][:24]  # "… — 2025": the year
        buttons.append([Button(_("🗓 Period {title}").format(title=short), Action("phs", 0, other_id).pack())])
    buttons.append([Button(_("🏠 Main menu"), menu("menu"))])
    return Screen("\n".join(lines), rows(*buttons))


def move_warning(check: MoveCheck | None, ask: bool = True) -> str:
    """What is not finished yet, and the question whether to move anyway, in one line, e.g.
    "⚠️ Còn 7 ngày đến hạn chót tự đánh giá (08/12/2026); 47 đơn vị chưa nộp. Vẫn chuyển sang thẩm
    định?" — "" when nothing is unfinished. `ask=False`: without the question (the command line asks its own)."""
    if check is None or not check.warns:
        return ""
    parts = []
    if check.deadline is not None:
        if check.days_left:
            parts.append(
                _("{days} days left until the self-assessment deadline ({date})").format(
                    days=check.days_left, date=vn_date(check.deadline)
                )
            )
        else:
            parts.append(_("today is the self-assessment deadline ({date})").format(date=vn_date(check.deadline)))
    if check.not_submitted:
        parts.append(_("{count} units have not submitted").format(count=check.not_submitted))
    if check.not_approved:
        parts.append(_("{count} units wait for their leader's approval").format(count=check.not_approved))
    if check.supplement_until is not None:
        parts.append(_("units may still supplement until {date}").format(date=vn_date(check.supplement_until)))
    if check.waiting:
        parts.append(_("{count} items wait for appraisal").format(count=check.waiting))
    if check.sent_back:
        parts.append(_("{count} items sent back wait for the unit's supplement").format(count=check.sent_back))
    if check.feedback_until is not None:
        parts.append(_("units may still object until {date}").format(date=vn_date(check.feedback_until)))
    if check.open_objections:
        parts.append(_("{count} objections have not been answered").format(count=check.open_objections))
    said = "; ".join(parts)
    said = f"⚠️ {said[:1].upper()}{said[1:]}."
    if not ask:
        return said
    question = {
        PeriodState.LOCKED: _("Move to appraisal anyway?"),
        PeriodState.PROVISIONAL: _("Close the appraisal and publish the provisional results anyway?"),
        PeriodState.PUBLISHED: _("Publish the final results anyway?"),
    }.get(check.target, "")
    return f"{said} {question}".rstrip()


def confirm_move_screen(view: PhaseView, move: str, until: date | None) -> Screen:
    """Asked before a move: what it does, with its date, and what is not finished yet."""
    period = view.period
    target = {"start": "open", "appraisal": "locked", "provisional": "provisional", "final": "published"}[move]
    lines = [
        _("Move {title} to <b>{phase}</b>?").format(title=escape(period.title), phase=_phase_name(target)),
        _move_effect(move, view, until),
    ]
    if warning := move_warning(view.check if view.next_move == move else None):
        lines += ["", warning]
    text = "\n".join(lines)
    arg = f"{move}:{until.isoformat()}" if until else move
    return Screen(
        text,
        rows(
            [
                Button(_("✅ Confirm"), Action("phx", 0, period.id, "", arg).pack()),
                Button(_("✖️ Cancel"), Action("phs", 0, period.id).pack()),
            ]
        ),
    )


def ask_reopen_reason(view: PhaseView) -> Screen:
    period = view.period
    back = _phase_name(view.back_to or "")
    return Screen(
        _(
            "Going back to {phase} in {title} needs a reason, which is recorded. Type the reason "
            "(e.g. “Sở Y tế đề nghị bổ sung số liệu”):"
        ).format(phase=back, title=escape(period.title)),
        rows([Button(_("✖️ Cancel"), Action("phc", 0, period.id).pack())]),
    )


def moved_notice(moved: PhaseMove) -> str:
    text = _("✅ {title}: now {phase}.").format(title=escape(moved.period.title), phase=_phase_name(moved.to_state))
    if moved.notified:
        text += " " + _("{count} people were sent the results.").format(count=moved.notified)
    return text


def results_notice(notice: ResultsNotice) -> dict[str, Any]:
    """The message each focal point and leader gets when provisional or final results are published."""
    if notice.final:
        lines = [_("🏁 <b>Final results</b> — {title}").format(title=escape(notice.title))]
    else:
        lines = [_("📢 <b>Provisional results</b> — {title}").format(title=escape(notice.title))]
    for unit in notice.units:
        points = f"{vn_points(unit.points)}/{vn_points(unit.max_points)}"
        if unit.rank is None:
            lines.append(_("{unit}: {points} points (not ranked).").format(unit=escape(unit.unit_name), points=points))
        else:
            lines.append(
                _("{unit}: {points} points, rank {rank} of {count} in {cohort}.").format(
                    unit=escape(unit.unit_name),
                    points=points,
                    rank=unit.rank,
                    count=unit.ranked,
                    cohort=escape(unit.cohort),
                )
            )
    if notice.final:
        lines.append(_("The period is closed; these results are final."))
    elif notice.feedback_deadline:
        lines.append(
            _("If you disagree with an item's points, you may object until {date}.").format(
                date=vn_date(notice.feedback_deadline)
            )
        )
    buttons = [Button(_("🏆 See the ranking"), menu("rank"))]
    if not notice.final and notice.feedback_deadline:  # the way to object, from the notice that invites it
        buttons.append(Button(_("✋ Object to a result"), menu("objections")))
    return as_payload(Screen("\n".join(lines), rows(buttons)))
