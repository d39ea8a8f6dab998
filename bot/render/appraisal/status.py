"""An item's appraisal status on the unit's card: chờ thẩm định, đạt, điều chỉnh (with the reason,
for good), đề nghị bổ sung (the comment itself is the card's own line)."""

from __future__ import annotations

from html import escape

from bot.i18n import _
from bot.render.appraisal.notices import correction_text
from bot.services.appraisal.status import AppraisalStatus


def status_lines(status: AppraisalStatus | None, *, with_comment: bool = False) -> list[str]:
    """The card's appraisal lines; a send-back's comment only `with_comment` (the card shows it already)."""
    if status is None:
        return []
    if status.state == "waiting":
        return [_("⏳ Appraisal: waiting")]
    if status.state == "accepted":
        return [_("✅ Appraisal: accepted")]
    if status.state == "corrected":
        return ["✏️ " + correction_text(status.self_points, status.points, status.comment)]
    if status.state == "needs_supplement" and with_comment:
        return [_("↩️ Appraisal: supplement requested — “{comment}”").format(comment=escape(status.comment))]
    return []
