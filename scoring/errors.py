"""Domain errors of the scoring package.

They carry structured fields so that the bot can word them in Vietnamese in one place.
"""

from __future__ import annotations

from decimal import Decimal


class ScoringError(Exception):
    """Base class of everything scoring raises on purpose."""


class FrameworkError(ScoringError):
    """A framework definition is invalid. Names the file and the item at fault."""

    def __init__(self, source: str, item: str, problem: str) -> None:
        self.source, self.item, self.problem = source, item, problem
        super().__init__(f"{source}: {item}: {problem}")


class InvalidAnswer(ScoringError):
    """An answer does not fit its sub-index's method.

    `reason` is a stable code the bot turns into a message: missing, not_a_number, not_an_integer,
    out_of_range, unknown_option, unknown_criterion, a_above_b.
    """

    def __init__(
        self,
        reason: str,
        field: str = "",
        *,
        low: Decimal | None = None,
        high: Decimal | None = None,
        value: object = None,
    ) -> None:
        self.reason, self.field, self.low, self.high, self.value = reason, field, low, high, value
        super().__init__(f"{reason}: {field} (low={low}, high={high}, value={value!r})")
