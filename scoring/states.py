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
    DRAFT = "draft"  # prepared, not visible to focal points
    OPEN = "open"  # focal points answer
    LOCKED = "locked"  # answers frozen, reviewers finish
    PUBLISHED = "published"  # results shown to everyone


# The periods a focal point sees (an open one, or one they can still read).
VISIBLE_PERIOD_STATES = (PeriodState.OPEN, PeriodState.LOCKED, PeriodState.PUBLISHED)


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
