"""May a focal point change an item now? One rule for every change a unit makes to an item (its
answer, its evidence, its explanation) and for every screen that says an item is read-only.

- Self-assessment (period open) until the deadline (the whole day, in the province's time zone):
  every item.
- Items sent back by the appraisers ("đề nghị bổ sung") stay answerable after the deadline and while
  the period is in appraisal, until the period's supplement deadline (none set: for as long as the
  appraisal lasts) [V: appraisal happens after the self-assessment deadline].
- Everything else is read-only, and the reason says why.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from scoring.states import AnswerStatus, PeriodState

# The reasons an item is read-only (bot.render.assessment.editability words them).
DRAFT, DEADLINE, APPRAISAL, SUPPLEMENT_DEADLINE = "draft", "deadline", "appraisal", "supplement_deadline"
PROVISIONAL, PUBLISHED = "provisional", "published"
# The one reason given with an editable item: a sent-back item answered in the supplement window.
SUPPLEMENT = "supplement"


class PeriodDates(Protocol):
    state: str
    deadline: date
    supplement_deadline: date | None


def editable(period: PeriodDates, answer: Any, today: date) -> tuple[bool, str | None]:
    """Whether the unit may change this item today, and why (a reason code, or None).

    `answer`: the item's answer (anything with a `status`), or None for an item not answered yet;
    `today`: the campaign's local date (bot.campaign_calendar.local_date)."""
    state = period.state
    if state == PeriodState.OPEN and today <= period.deadline:
        return True, None
    sent_back = answer is not None and getattr(answer, "status", None) == AnswerStatus.NEEDS_SUPPLEMENT
    if sent_back and state in (PeriodState.OPEN, PeriodState.LOCKED):
        until = getattr(period, "supplement_deadline", None)
        if until is None or today <= until:
            return True, SUPPLEMENT
        return False, SUPPLEMENT_DEADLINE
    if state == PeriodState.OPEN:
        return False, DEADLINE
    if state == PeriodState.LOCKED:
        return False, APPRAISAL
    if state == PeriodState.PROVISIONAL:
        return False, PROVISIONAL
    if state == PeriodState.PUBLISHED:
        return False, PUBLISHED
    return False, DRAFT


def read_only_reason(period: PeriodDates, answer: Any, today: date) -> str | None:
    """Why the item is read-only (None: it can be changed)."""
    allowed, reason = editable(period, answer, today)
    return None if allowed else reason
