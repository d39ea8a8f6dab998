"""Number fields in frameworks: whole numbers, hard bounds and plausibility bounds, declared per
answer field, checked by the loader (errors name the file and the item) and by every answer."""

from decimal import Decimal as D

import pytest

from scoring.errors import FrameworkError, InvalidAnswer
from scoring.loader import load_framework_text
from scoring.unit import parse_answer

ONE_ITEM = """
id: numbers
title: Khung thử số
total_points: 10
indices:
  - code: "1"
    name: Một
    max_points: 10
    sub_indices:
      - code: "1.1"
        name: Tỷ lệ
        question: Bao nhiêu?
        max_points: 10
        method: {method}
"""


def load(method: str):
    return load_framework_text(ONE_ITEM.format(method=method), "numbers.yaml").sub_index("1.1")


def test_a_framework_without_number_fields_loads_as_before_and_takes_decimals():
    sub = load("{type: ratio}")
    assert parse_answer(sub, {"a": "45", "b": "50"}) == {"a": D(45), "b": D(50)}
    assert parse_answer(sub, {"a": "12.5", "b": "50"})["a"] == D("12.5")  # stored machine text
    assert sub.method.implausible({"a": D(10**14), "b": D(10**14)}) == ()


def test_declared_fields_make_whole_numbers_with_hard_and_plausible_bounds():
    people = "{integer: true, max: 1000, plausible_max: 200}"
    sub = load(f"{{type: ratio, a: {people}, b: {people}}}")
    with pytest.raises(InvalidAnswer) as refused:
        parse_answer(sub, {"a": "12.5", "b": "20"})
    assert (refused.value.reason, refused.value.field) == ("not_an_integer", "a")
    with pytest.raises(InvalidAnswer) as refused:
        parse_answer(sub, {"a": "5", "b": "1001"})
    assert (refused.value.reason, refused.value.high) == ("out_of_range", D(1000))
    assert sub.method.implausible(parse_answer(sub, {"a": "150", "b": "300"})) == ("b",)
    assert sub.method.implausible(parse_answer(sub, {"a": "150", "b": "200"})) == ()


def test_every_answer_is_bounded_to_fifteen_digits_even_without_a_declared_bound():
    sub = load("{type: minmax}")
    with pytest.raises(InvalidAnswer) as refused:
        parse_answer(sub, {"value": "9" * 20})
    assert refused.value.reason == "too_long"
    counted = load("{type: count_tiers, tiers: [{min: 1, points: 10}]}")
    with pytest.raises(InvalidAnswer, match="too_long"):  # today 10^20 articles would earn full points
        parse_answer(counted, {"count": "99999999999999999999"})


def test_minmax_bounds_may_come_from_min_value_and_the_value_field_together():
    sub = load("{type: minmax, min_value: 0, value: {integer: true, max: 500, plausible_max: 50}}")
    assert (sub.method.value.min, sub.method.value.max, sub.method.max_value) == (D(0), D(500), D(500))
    assert sub.method.implausible({"value": D(51)}) == ("value",)


@pytest.mark.parametrize(
    ("method", "problem"),
    [
        ("{type: ratio, a: 5}", "parameter 'a' must be a mapping"),
        ("{type: ratio, a: {integer: yes please}}", "'a.integer' must be true or false"),
        ("{type: ratio, a: {maximum: 5}}", "unknown key(s) in 'a': maximum"),
        ("{type: ratio, a: {max: lots}}", "'a.max' must be a number"),
        ("{type: ratio, a: {min: -1}}", "'a.min' must be at least 0"),
        ("{type: ratio, b: {max: 10, plausible_max: 20}}", "'b.plausible_max' (20) must not be above 'b.max' (10)"),
        ("{type: ratio, b: {min: 5, max: 5}}", "single possible value"),
        ("{type: ratio, a: {max: 10000000000000000}}", "more than 15 digits"),
        ("{type: count_tiers, tiers: [{min: 1, points: 10}], count: {integer: false}}", "a count is a whole number"),
        ("{type: minmax, max_value: 10, value: {max: 5}}", "either as 'min_value'/'max_value' or in 'value'"),
        ("{type: yes_no, count: {integer: true}}", "unknown parameter(s) of method 'yes_no': count"),
        ("{type: ratio, a_label: Số xã, phường, b_label: Tổng}", "unknown parameter(s) of method 'ratio': phường"),
    ],
)
def test_a_bad_number_field_is_refused_naming_the_file_and_the_item(method, problem):
    with pytest.raises(FrameworkError) as refused:
        load(method)
    assert (refused.value.source, refused.value.item) == ("numbers.yaml", "sub-index 1.1")
    assert problem in refused.value.problem


def test_the_shipped_frameworks_declare_their_counts_as_whole_numbers(so, huyen):
    for framework in (so, huyen):
        for sub in framework.sub_indices:
            fields = sub.method.number_fields()
            if sub.unit in ("người", "hồ sơ", "văn bản", "hệ thống", "xã", "máy", "lớp", "cuộc", "sự cố"):
                assert fields and all(f.integer for f in fields.values()), sub.code
            for field in fields.values():
                assert field.plausible_max is None or field.max is None or field.plausible_max < field.max
