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


# -- numbers typed by people, the Vietnamese way ---------------------------------------------------
from scoring.numbers import COUNT, NumberField, digit_count, fits, read_number  # noqa: E402

DECIMAL = NumberField(min=D(0))  # e.g. million dong: decimals allowed
WHOLE = COUNT  # people, documents, systems
PERCENT = NumberField(min=D(0), max=D(100))
PEOPLE = NumberField(integer=True, min=D(0), max=D(1_000_000), plausible_max=D(20_000))
SIGNED = NumberField()


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        # plain whole numbers and the decimal comma
        ("45", WHOLE, D(45)),
        ("0", WHOLE, D(0)),
        ("  7 ", WHOLE, D(7)),
        ("12,5", DECIMAL, D("12.5")),
        ("0,8253", DECIMAL, D("0.8253")),
        ("12,50", DECIMAL, D("12.5")),
        ("12,0", WHOLE, D(12)),
        # a dot groups thousands
        ("1.234", WHOLE, D(1234)),
        ("1.000", WHOLE, D(1000)),
        ("1.500", WHOLE, D(1500)),
        ("1.234.567", WHOLE, D(1234567)),
        ("1.234.567", DECIMAL, D(1234567)),
        ("1.234,5", DECIMAL, D("1234.5")),
        ("12.345.678,25", DECIMAL, D("12345678.25")),
        ("999.999.999.999.999", WHOLE, D(999999999999999)),
        # spaces may group thousands too
        ("1 234", WHOLE, D(1234)),
        ("1\u00a0234\u00a0567", WHOLE, D(1234567)),
        ("1 234,5", DECIMAL, D("1234.5")),
        # a dot that cannot be a thousands group is a decimal point
        ("12.5", DECIMAL, D("12.5")),
        ("0.500", DECIMAL, D("0.5")),
        ("1234.5", DECIMAL, D("1234.5")),
        ("12.5000", DECIMAL, D("12.5")),
        ("3.14159", DECIMAL, D("3.14159")),
        # a dot before exactly three digits, on a field with decimals: ask
        ("12.500", DECIMAL, (D(12500), D("12.5"))),
        ("1.234", DECIMAL, (D(1234), D("1.234"))),
        ("1.000", DECIMAL, (D(1000), D(1))),
        # ...unless the field's bounds leave one reading
        ("12.500", PERCENT, D("12.5")),
        ("99.999", PERCENT, D("99.999")),
        # full-width digits and marks are digits
        ("１２３", WHOLE, D(123)),
        ("１２，５", DECIMAL, D("12.5")),
        ("１．２３４", WHOLE, D(1234)),
        ("−5", SIGNED, D(-5)),
        ("-3,5", SIGNED, D("-3.5")),
        # refused: a count is a whole number
        ("12,5", WHOLE, "not_an_integer"),
        ("12.5", WHOLE, "not_an_integer"),
        ("1,234", WHOLE, "not_an_integer"),
        ("0.500", WHOLE, "not_an_integer"),
        # refused: outside the hard bounds
        ("-5", WHOLE, "out_of_range"),
        ("-1", DECIMAL, "out_of_range"),
        ("100,5", PERCENT, "out_of_range"),
        ("2.000.000", PEOPLE, "out_of_range"),
        # refused: more than 15 digits
        ("99999999999999999999", WHOLE, "too_long"),
        ("111111111111111111111111111", DECIMAL, "too_long"),
        ("1.000.000.000.000.000", WHOLE, "too_long"),
        ("0,0000000000000001", DECIMAL, "too_long"),
        # refused: not a number
        ("", WHOLE, "not_a_number"),
        ("   ", WHOLE, "not_a_number"),
        ("bốn mươi", WHOLE, "not_a_number"),
        ("12a", WHOLE, "not_a_number"),
        ("1,2,3", DECIMAL, "not_a_number"),
        ("1..2", DECIMAL, "not_a_number"),
        ("1.23.456", WHOLE, "not_a_number"),
        ("1,234.5", DECIMAL, "not_a_number"),
        ("1e5", WHOLE, "not_a_number"),
        ("NaN", DECIMAL, "not_a_number"),
        ("Infinity", DECIMAL, "not_a_number"),
        ("٣", WHOLE, "not_a_number"),
        ("12 5", WHOLE, "not_a_number"),
        ("1" * 70, WHOLE, "not_a_number"),
    ],
)
def test_typed_numbers_are_read_the_vietnamese_way(text, field, expected):
    reading = read_number(text, field, "a")
    if isinstance(expected, str):
        assert reading.values == () and reading.error is not None
        assert (reading.error.reason, reading.error.field) == (expected, "a")
    elif isinstance(expected, tuple):
        assert reading.error is None and reading.ambiguous and reading.values == expected
    else:
        assert reading.error is None and not reading.ambiguous
        assert reading.value == expected and str(reading.value) == str(expected)


def test_a_reading_names_the_bounds_it_broke():
    error = read_number("2.000.000", PEOPLE, "b").error
    assert (error.low, error.high, error.value) == (D(0), D(1_000_000), D(2_000_000))


def test_plausibility_is_a_separate_softer_bound():
    assert read_number("50.000", PEOPLE).value == D(50_000)  # within the hard bound: read
    assert not PEOPLE.plausible(D(50_000)) and PEOPLE.plausible(D(20_000))


@pytest.mark.parametrize(
    ("value", "digits"),
    [(D(123), 3), (D("12.50"), 4), (D("0.005"), 3), (D("1E+3"), 4), (D(0), 1), (D("-7.5"), 2)],
)
def test_digits_are_counted_as_the_number_is_written_out(value, digits):
    assert digit_count(value) == digits


def test_fifteen_digits_is_the_universal_bound():
    assert fits(D("999999999999999")) and fits(D("-999999999999999")) and fits(D("0.000000000000001"))
    assert not fits(D("1000000000000000")) and not fits(D("0.0000000000000001"))


def test_every_figure_derived_from_bounded_numbers_rounds_for_display():
    biggest, smallest = D("999999999999999"), D("0.00000000000001")
    percent = biggest / smallest * 100
    assert quantize(percent, 2) > 0  # the default 28-digit context would raise InvalidOperation here
    assert plain(D("1" * 27), 2) == "1" * 27 + ".00"  # an unbounded stored value still rounds
