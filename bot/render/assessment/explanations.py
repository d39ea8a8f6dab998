"""The item's explanation ("giải trình") on the focal point's card: the line that shows it, the
prompt while it is typed, its buttons and notices. The card (bot.render.assessment.cards) calls these."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.i18n import _
from bot.render.screen import Button
from bot.services.assessment.views import ItemView, Notice

EXPLAIN = "explanation"  # the cursor step of bot.services.assessment.explanations
PREVIEW = 300  # characters of a long explanation shown on the card


def explanation_line(view: ItemView) -> str:
    """ "📝 Explanation: “không phát sinh”" (with, where the framework allows it, that it stands in for evidence)."""
    if not view.explanation:
        return ""
    text = view.explanation if len(view.explanation) <= PREVIEW else view.explanation[:PREVIEW] + "…"
    line = _("📝 Explanation: “{text}”").format(text=escape(text))
    if view.sub.evidence.explanation_allowed and view.sub.evidence.required and not view.evidence:
        line += "\n" + _("(the framework accepts this explanation in place of evidence)")
    return line


def explanation_prompt(view: ItemView) -> str:
    if view.step != EXPLAIN:
        return ""
    if view.sub.evidence.explanation_allowed:
        hint = _("For this item the framework accepts an explanation in place of evidence.")
    else:
        hint = _("The appraisers and your unit's leader will read it; it does not replace required evidence.")
    return "\n".join(
        [_("📝 Type the explanation for this item (e.g. “không phát sinh”, or where the figure comes from)."), hint]
    )


def explanation_button(view: ItemView, act: Callable[..., str]) -> list[Button]:
    """ "📝 Explanation" on an item that can be changed (typing it again replaces it)."""
    if view.ref.read_only or view.step == EXPLAIN:
        return []
    return [Button(_("📝 Explanation"), act("exp"))]


def explanation_step_buttons(view: ItemView, act: Callable[..., str]) -> list[Button]:
    """While the explanation is typed: cancel, or remove the one given before."""
    remove = [Button(_("🗑 Remove the explanation"), act("exr"))] if view.explanation else []
    return [Button(_("✖️ Cancel"), act("nav", "open")), *remove]


def explanation_notice(notice: Notice) -> str:
    if notice.kind == "explanation_saved":
        return _("📝 Explanation saved.")
    if notice.kind == "explanation_removed":
        return _("🗑 Explanation removed.")
    return ""
