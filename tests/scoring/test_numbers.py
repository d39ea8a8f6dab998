from decimal import Decimal as D

import pytest

from scoring.numbers import parse_decimal, plain, quantize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", D("12.5")),
        ("12.5", D("12.5")),
        ("0,8253", D("0.8253")),
        (" 7 ", D(7)),
        ("1.234,5", D("1234.5")),
        ("1.234.567", D(1234567)),
        ("1,234.5", D("1234.5")),
        ("-3", D(-3)),
        (4, D(4)),
        (0.5, D("0.5")),
    ],
)
def test_numbers_are_read_with_either_decimal_mark(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1..2", "NaN", "Infinity", "1e5", True])
def test_what_is_not_a_plain_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_display_rounding_is_half_up_as_in_published_tables():
    assert plain(D("800.175"), 2) == "800.18"
    assert quantize(D("0.80015"), 4) == D("0.8002")
    assert quantize(D("0.80025"), 4) == D("0.8003")
