"""The message a unit gets for an appraisal round: every decision on its items in one message, with
a button to each item sent back (and to each corrected one)."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.campaign.notices import as_payload
from bot.render.numbers import vn_date
from bot.render.screen import Button, Screen, rows
from bot.services.appraisal.notices import Decision, UnitRound
from bot.wording import vn_points
from scoring.states import ReviewDecision

BUTTONS = 8  # item buttons under the message; the item list reaches the rest
COMMENT_SHOWN = 300
LINES_SHOWN = 25  # per kind of decision, to stay within Telegram's 4096 characters


def _short(text: str) -> str:
    return text if len(text) <= COMMENT_SHOWN else text[: COMMENT_SHOWN - 1] + "…"


def correction_text(self_points: Any, points: Any, reason: str) -> str:
    """ "Điều chỉnh: 6 → 4 điểm. Lý do: …" (also on the item's card, bot.render.appraisal.status)."""
    return _("Corrected: {old} → {new} points. Reason: {reason}").format(
        old=vn_points(self_points) if self_points is not None else "—",
        new=vn_points(points) if points is not None else "—",
        reason=escape(reason),
    )


def _more(count: int) -> str:
    return _("… and {count} more items.").format(count=count)


def round_text(one: UnitRound) -> str:
    accepted = [d for d in one.decisions if d.decision == ReviewDecision.ACCEPT]
    corrected = [d for d in one.decisions if d.decision == ReviewDecision.CORRECT]
    sent_back = [d for d in one.decisions if d.decision == ReviewDecision.NEEDS_SUPPLEMENT]
    lines = [
        _("📋 <b>Appraisal results</b> — {unit}").format(unit=escape(one.unit_name)),
        escape(one.period_title),
        _("{count} items were appraised:").format(count=len(one.decisions)),
    ]
    if accepted:
        lines += [
            "",
            _("✅ Accepted ({count}): {codes}").format(
                count=len(accepted), codes=", ".join(escape(d.sub.code) for d in accepted)
            ),
        ]
    if corrected:
        lines += ["", _("✏️ Points corrected ({count}):").format(count=len(corrected))]
        lines += [
            f"• <b>{escape(d.sub.code)}</b> {escape(d.sub.name)}: {_correction(d)}" for d in corrected[:LINES_SHOWN]
        ]
        if len(corrected) > LINES_SHOWN:
            lines.append(_more(len(corrected) - LINES_SHOWN))
    if sent_back:
        lines += ["", _("↩️ Supplement requested ({count}):").format(count=len(sent_back))]
        lines += [
            f"• <b>{escape(d.sub.code)}</b> {escape(d.sub.name)}: “{escape(_short(d.comment))}”"
            for d in sent_back[:LINES_SHOWN]
        ]
        if len(sent_back) > LINES_SHOWN:
            lines.append(_more(len(sent_back) - LINES_SHOWN))
        if one.supplement_deadline:
            lines.append(
                _("Open each item, supplement it and submit again by {date}.").format(
                    date=vn_date(one.supplement_deadline)
                )
            )
        else:
            lines.append(_("Open each item, supplement it and submit again."))
    return "\n".join(lines)


def _correction(d: Decision) -> str:
    return _("{old} → {new} points. Reason: {reason}").format(
        old=vn_points(d.self_points) if d.self_points is not None else "—",
        new=vn_points(d.points) if d.points is not None else "—",
        reason=escape(_short(d.comment)),
    )


def round_notice(one: UnitRound) -> dict[str, Any]:
    """The outbox payload of a unit's round."""
    wanted = [d for d in one.decisions if d.decision == ReviewDecision.NEEDS_SUPPLEMENT]
    wanted += [d for d in one.decisions if d.decision == ReviewDecision.CORRECT]
    buttons = [
        Button(
            _("📝 Open item {code}").format(code=d.sub.code),
            Action("nav", one.unit_id, one.period_id, d.sub.code, "open").pack(),
        )
        for d in wanted[:BUTTONS]
    ]
    grid = [buttons[n : n + 2] for n in range(0, len(buttons), 2)]
    grid.append([Button(_("📋 All items"), menu("list"))])
    return as_payload(Screen(round_text(one), rows(*grid)))
