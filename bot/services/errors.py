"""Errors raised by use cases, carrying a stable `reason` and the details a message needs.

`bot.render.errors` turns each reason into Vietnamese in one place.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    reason: str = "error"

    def __init__(self, reason: str | None = None, **details: Any) -> None:
        if reason is not None:
            self.reason = reason
        self.details = details
        super().__init__(f"{self.reason}: {details}")


class InputFileError(ServiceError):
    """A row of an uploaded or imported file is wrong; `line` is 1-based (the header is line 1)."""

    def __init__(self, reason: str, line: int, **details: Any) -> None:
        super().__init__(reason, line=line, **details)
        self.line = line


class InputFileErrors(ServiceError):
    """Every bad row of a file, so the person can fix them all at once."""

    reason = "bad_rows"

    def __init__(self, errors: list[InputFileError]) -> None:
        super().__init__(count=len(errors))
        self.errors = errors
