"""Exact decimal helpers shared by every scoring module.

Scores are `Decimal` from input to output; rounding happens only for display, half up, as
Vietnamese scoring sheets do (800,175 is published as 800,18).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234.567,89
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.89 (only with a fraction)


def parse_decimal(text: str | int | float | Decimal) -> Decimal:
    """Read a number typed by a person or found in a file: "12,5", "12.5", "1.234,5", "0,8253".

    A single separator is always a decimal separator ("0.8253" and "0,8253" are the same value).
    Raises ValueError for anything that is not a finite number.
    """
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, bool):
        raise ValueError("a boolean is not a number")
    elif isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))
    else:
        s = text.strip().replace("\u00a0", "").replace(" ", "")
        if _PLAIN.match(s):
            s = s.replace(",", ".")
        elif _GROUPED_DOT.match(s):
            s = s.replace(".", "").replace(",", ".")
        elif _GROUPED_COMMA.match(s) and "." in s:
            s = s.replace(",", "")
        else:
            raise ValueError(f"not a number: {text!r}")
        try:
            value = Decimal(s)
        except InvalidOperation as exc:  # pragma: no cover - the patterns above exclude this
            raise ValueError(f"not a number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to `places` decimals (display and tie comparison only)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def plain(value: Decimal, places: int) -> str:
    """Machine form with a decimal point: plain(Decimal('800.175'), 2) == '800.18'."""
    return format(quantize(value, places), "f")
