"""The states a campaign's records move through, each written once: the models' defaults, the
hand-written SQL (storage.lean) and the labels people read (bot.render.labels) all use these.

A member is a `str` (StrEnum): it is stored, compared and bound as its value ("draft" == AnswerStatus.DRAFT).
They live at the bottom layer so that storage, the use cases and the pure rendering can all import them.
"""

from __future__ import annotations

from enum import StrEnum


class AnswerStatus(StrEnum):
    DRAFT = "draft"  # answered or being answered, not submitted
    SUBMITTED = "submitted"  # waiting for a reviewer
    NEEDS_SUPPLEMENT = "needs_supplement"  # sent back by a reviewer
    ACCEPTED = "accepted"  # reviewed: points verified


class PeriodState(StrEnum):
    """The phases of a campaign year: draft → self-assessment → appraisal → provisional → final."""

    DRAFT = "draft"  # prepared, not visible to focal points
    OPEN = "open"  # self-assessment: focal points answer, leaders approve
    LOCKED = "locked"  # appraisal ("thẩm định"): answers frozen except items sent back, until the supplement deadline
    PROVISIONAL = "provisional"  # provisional results published; units may object until the feedback deadline
    PUBLISHED = "published"  # final results published and locked


# The periods a focal point sees (an open one, or one they can still read).
VISIBLE_PERIOD_STATES = (PeriodState.OPEN, PeriodState.LOCKED, PeriodState.PROVISIONAL, PeriodState.PUBLISHED)


class ApprovalAction(StrEnum):
    """A unit's self-assessment on its way to appraisal (append-only `unit_approval` rows; the last one counts)."""

    SUBMIT = "submit"  # focal points hand it to the unit's leader
    APPROVE = "approve"  # the leader approves: it reaches appraisal
    RETURN = "return"  # the leader returns it to the focal points with a comment
    REOPEN = "reopen"  # a coordinator reopens an approved self-assessment (with a reason)


class ObjectionState(StrEnum):
    OPEN = "open"  # raised by the unit during the feedback window, waiting for the council
    UPHELD = "upheld"  # the council agreed: the item's points changed (audited)
    REJECTED = "rejected"  # the council disagreed, with a reason


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"  # the person blocked the bot
    CANCELLED = "cancelled"


class ReviewDecision(StrEnum):
    ACCEPT = "accept"
    CORRECT = "correct"
    NEEDS_SUPPLEMENT = "needs_supplement"


def sql_list(values: tuple[StrEnum, ...]) -> str:
    """A constant SQL list of states, e.g. "('open', 'locked')" (members are fixed identifiers)."""
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"
