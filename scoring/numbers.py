"""Exact decimal helpers shared by every scoring module.

Scores are `Decimal` from input to output; rounding happens only for display, half up, as
Vietnamese scoring sheets do (800,175 is published as 800,18).

Two readers of numbers:

- `parse_decimal` reads machine text and files ("12.5", "0,8253", "1.234,5"): a single separator is
  a decimal mark. Stored answers are machine text ("1234.5"), so they are read back with it.
- `read_number` reads what a person types in Vietnamese: a dot groups thousands and a comma is the
  decimal mark ("1.234" is 1234, "12,5" is twelve and a half). A dot before exactly three digits
  ("12.500") may be either on a field that takes decimals: the result then holds both readings and
  the caller asks which one is meant.

Every number is bounded: at most `DIGITS` digits (so below 10^15), whatever a framework says. Every
figure derived from bounded inputs (a ratio of two of them, a percent, a rounded total) fits the
`WIDE` context, which `quantize` uses, so no bounded number can fail to round or display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

from scoring.errors import InvalidAnswer

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

DIGITS = 15  # at most this many digits in any number (integer part and decimals together)
LIMIT = Decimal(10) ** DIGITS
# Largest derived figure: a ratio of two bounded numbers (< 10^15 / 10^-15 = 10^30) as a percent
# (10^32), rounded to a few decimals: 40 digits hold it; 60 leave room for any arithmetic on it.
WIDE = Context(prec=60, rounding=ROUND_HALF_EVEN)

_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.234.567,89
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234,567.89 (only with a fraction)


def parse_decimal(text: str | int | float | Decimal) -> Decimal:
    """Read a number found in a file or stored by the bot: "12,5", "12.5", "1.234,5", "0,8253".

    A single separator is always a decimal separator ("0.8253" and "0,8253" are the same value).
    Raises ValueError for anything that is not a finite number. What a person types goes through
    `read_number` instead.
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
        if not isinstance(text, str) or len(text) > 200:
            raise ValueError("not a number")
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


def digit_count(value: Decimal) -> int:
    """Digits needed to write a finite value out in full, a leading "0." not counted:
    123 → 3, 12.50 → 4, 0.005 → 3, 1E+3 → 4."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    whole = len(digits) + exponent
    if exponent >= 0:
        return whole
    return max(whole, 0) + -exponent


def fits(value: Decimal) -> bool:
    """Whether a finite value is within the universal bound of `DIGITS` digits."""
    return -LIMIT < value < LIMIT and digit_count(value) <= DIGITS


_EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(-2, 13)}


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to `places` decimals (display and tie comparison only).

    Uses the `WIDE` context, enough for any figure derived from bounded numbers; an unbounded
    value kept from before the bounds existed still rounds, in a context made for it.
    """
    exponent = _EXPONENTS.get(places) or Decimal(1).scaleb(-places)
    try:
        return value.quantize(exponent, rounding=ROUND_HALF_UP, context=WIDE)
    except InvalidOperation:
        if not value.is_finite() or value.adjusted() > 10_000:
            raise
        return value.quantize(exponent, rounding=ROUND_HALF_UP, context=Context(prec=value.adjusted() + places + 2))


def plain(value: Decimal, places: int) -> str:
    """Machine form with a decimal point: plain(Decimal('800.175'), 2) == '800.18'."""
    return format(quantize(value, places), "f")


# -- numbers typed by people ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class NumberField:
    """What a framework says about one number of an answer: whole or not, hard bounds (refused
    outside) and plausibility bounds (outside them the person is asked to confirm)."""

    integer: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    plausible_min: Decimal | None = None
    plausible_max: Decimal | None = None

    def plausible(self, value: Decimal) -> bool:
        return not (
            (self.plausible_min is not None and value < self.plausible_min)
            or (self.plausible_max is not None and value > self.plausible_max)
        )


ANY_NUMBER = NumberField()
COUNT = NumberField(integer=True, min=ZERO)


@dataclass(frozen=True, slots=True)
class Reading:
    """What `read_number` made of a text: one value, two (ambiguous: ask which), or a refusal."""

    values: tuple[Decimal, ...] = ()
    error: InvalidAnswer | None = None

    @property
    def value(self) -> Decimal:
        """The one reading (only when it is neither refused nor ambiguous)."""
        assert len(self.values) == 1, self
        return self.values[0]

    @property
    def ambiguous(self) -> bool:
        return len(self.values) > 1


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-", "\u2013": "-"})
_SIGNED = re.compile(r"^([+-]?)\s*(.+)$", re.ASCII)
_INT = re.compile(r"^[0-9]+$", re.ASCII)
_COMMA_DECIMAL = re.compile(r"^[0-9]+,[0-9]+$", re.ASCII)  # 12,5
_DOT_GROUPS = re.compile(r"^[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?$", re.ASCII)  # 1.234.567,8
_SPACE_GROUPS = re.compile(r"^[1-9][0-9]{0,2}(?: [0-9]{3})+(?:,[0-9]+)?$", re.ASCII)  # 1 234 567,8


def space_grouped(text: str) -> bool:
    """`12 500`, `1 234 567,8`: one number written with spaces between its thousands."""
    return _SPACE_GROUPS.match(text) is not None


_DOT_DECIMAL = re.compile(r"^[0-9]+\.[0-9]+$", re.ASCII)  # 12.5, 0.500, 1234.5 (not a thousands group)


def normalize_typed(text: str) -> str:
    """Full-width digits and marks as ASCII ("１２，５" → "12,5"), odd spaces and minus signs plain."""
    return unicodedata.normalize("NFKC", text).translate(_SPACES).strip()


def _candidates(body: str, integer: bool) -> list[Decimal] | None:
    """The values a sign-less text may mean, the thousands reading first; None: not a number."""
    if _INT.match(body):
        return [Decimal(body)]
    if _COMMA_DECIMAL.match(body):
        return [Decimal(body.replace(",", "."))]
    for groups, mark in ((_DOT_GROUPS, "."), (_SPACE_GROUPS, " ")):
        if groups.match(body):
            grouped = Decimal(body.replace(mark, "").replace(",", "."))
            if mark == "." and body.count(".") == 1 and "," not in body and not integer:
                return [grouped, Decimal(body)]  # 12.500: twelve thousand five hundred, or 12,5?
            return [grouped]
    if _DOT_DECIMAL.match(body):
        return [Decimal(body)]
    return None


def read_number(text: str, field: NumberField = ANY_NUMBER, key: str = "value") -> Reading:
    """Read a number a person typed, the Vietnamese way, against what the field allows.

    "1.234" → 1234 on a whole-number field; on a field with decimals it is ambiguous (1234 or
    1,234) and both readings come back. "12.5" and "0.500" cannot be thousands groups: decimals.
    A reading the field refuses (not whole, out of bounds, too long) is dropped; if none is left,
    the refusal of the first (thousands) reading is returned.
    """
    s = normalize_typed(text) if isinstance(text, str) else ""
    match = _SIGNED.match(s) if 0 < len(s) <= 64 else None
    found = _candidates(match.group(2).strip(), field.integer) if match else None
    if not found:
        return Reading(error=InvalidAnswer("not_a_number", key, value=text))
    negative = match is not None and match.group(1) == "-"
    values: list[Decimal] = []
    first_error: InvalidAnswer | None = None
    for value in found:
        value = -value if negative else value
        error = check_number(value, field, key)
        if error is None:
            values.append(tidy(value))
        elif first_error is None:
            first_error = error
    if not values:
        return Reading(error=first_error)
    return Reading(tuple(dict.fromkeys(values)))  # "1.000,0" and such: one value, once


def tidy(value: Decimal) -> Decimal:
    """Trailing decimal zeros dropped, never an exponent: 12.50 → 12.5, 12.0 → 12, 1000 → 1000."""
    if value.as_tuple().exponent >= 0:  # type: ignore[operator]
        return value
    value = value.normalize(WIDE)
    return value.quantize(ONE) if value.as_tuple().exponent > 0 else value  # type: ignore[operator]


def check_number(value: Decimal, field: NumberField, key: str) -> InvalidAnswer | None:
    """Why a finite value does not fit the field (None when it does)."""
    if not fits(value):
        return InvalidAnswer("too_long", key, high=LIMIT - 1, value=value)
    if field.integer and value != value.to_integral_value():
        return InvalidAnswer("not_an_integer", key, value=value)
    if (field.min is not None and value < field.min) or (field.max is not None and value > field.max):
        return InvalidAnswer("out_of_range", key, low=field.min, high=field.max, value=value)
    return None
