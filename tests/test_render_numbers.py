from datetime import UTC, date, datetime
from decimal import Decimal as D

from bot.render.numbers import vn_date, vn_number, vn_percent, vn_points


def test_numbers_use_a_decimal_comma_and_dot_thousands():
    assert vn_number(D("801.905")) == "801,91"
    assert vn_number(D(1000), 0) == "1.000"
    assert vn_number(D("1234567.891"), 2) == "1.234.567,89"
    assert vn_number(D("0.80015"), 4) == "0,8002"
    assert vn_number(D("-3.5"), 1) == "-3,5"


def test_points_drop_a_zero_fraction():
    assert vn_points(D(7)) == "7"
    assert vn_points(D("7.5")) == "7,5"
    assert vn_points(D("2.375")) == "2,38"


def test_percent_and_dates_are_in_vietnamese_form():
    assert vn_percent(D("72.55")) == "72,6 %"
    assert vn_date(date(2023, 10, 24)) == "24/10/2023"
    # 20:00 UTC on the 23rd is already the 24th in Asia/Ho_Chi_Minh
    assert vn_date(datetime(2023, 10, 23, 20, 0, tzinfo=UTC)) == "24/10/2023"
