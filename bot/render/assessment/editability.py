"""Why an item is read-only, or open for a supplement: one short sentence per reason
(bot.services.assessment.editability), the same on the card, the list and in refusals."""

from __future__ import annotations

from datetime import date

from bot.i18n import _
from bot.render.numbers import vn_date


def read_only_sentence(why: str | None, deadline: date | None, until: date | None = None) -> str:
    """ "Hết hạn tự đánh giá ngày 20/11/2026; chỉ số này chỉ xem." — or "" when the item can be changed."""
    if not why:
        return ""
    day = vn_date(deadline) if deadline else ""
    if why == "deadline":
        return _("The self-assessment closed on {deadline}; this item is read-only.").format(deadline=day)
    if why in ("appraisal", "locked"):
        return _("Appraisal in progress; only items sent back for supplement can be changed.")
    if why == "supplement_deadline":
        return _("The supplement window closed on {until}; this item is read-only.").format(
            until=vn_date(until) if until else day
        )
    if why == "provisional":
        return _("Provisional results are published; answers are read-only.")
    if why == "published":
        return _("Final results are published; answers are read-only.")
    return _("The period is not open yet.")


def supplement_sentence(until: date | None) -> str:
    """A sent-back item answered after the self-assessment deadline."""
    if until is None:
        return _("↩️ Sent back for supplement: it can be changed while the appraisal lasts.")
    return _("↩️ Sent back for supplement: it can be changed until {until}.").format(until=vn_date(until))
