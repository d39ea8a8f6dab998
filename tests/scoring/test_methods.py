"""Each scoring method, table-driven; each case names the rule it checks."""

from decimal import Decimal as D

import pytest

from scoring.errors import InvalidAnswer
from scoring.methods import Criterion, build_method

MAX = D(10)


def method(**params):
    criteria = tuple(Criterion(c, c, D(p)) for c, p in params.pop("criteria", []))
    return build_method(params, MAX, criteria)


CASES = [
    # (rule, params, raw answer, expected points)
    ("yes earns the maximum", {"type": "yes_no"}, {"yes": True}, D(10)),
    ("no earns nothing", {"type": "yes_no"}, {"yes": False}, D(0)),
    ("yes typed as text counts", {"type": "yes_no"}, {"yes": "true"}, D(10)),
    (
        "an option earns its fraction of the maximum",
        {
            "type": "options",
            "options": [{"code": "a", "label": "A", "fraction": 1}, {"code": "b", "label": "B", "fraction": 0.5}],
        },
        {"option": "b"},
        D(5),
    ),
    (
        "an option may be given in points",
        {
            "type": "options",
            "options": [{"code": "a", "label": "A", "points": 10}, {"code": "b", "label": "B", "points": 2.5}],
        },
        {"option": "b"},
        D("2.5"),
    ),
    (
        "criteria sum their points",
        {"type": "criteria", "criteria": [("x", 3), ("y", 3), ("z", 4)]},
        {"criteria": ["x", "z"]},
        D(7),
    ),
    (
        "no criterion chosen earns nothing",
        {"type": "criteria", "criteria": [("x", 6), ("y", 4)]},
        {"criteria": []},
        D(0),
    ),
    (
        "a criterion chosen twice counts once",
        {"type": "criteria", "criteria": [("x", 6), ("y", 4)]},
        {"criteria": ["x", "x"]},
        D(6),
    ),
    ("a ratio earns a/b of the maximum", {"type": "ratio"}, {"a": "3", "b": "4"}, D("7.5")),
    ("a ratio accepts a decimal comma", {"type": "ratio"}, {"a": "1,5", "b": "2"}, D("7.5")),
    ("a ratio above one is capped", {"type": "ratio", "allow_a_above_b": True}, {"a": 6, "b": 4}, D(10)),
    ("a ratio at the threshold earns full points", {"type": "ratio", "full_at": 0.8}, {"a": 8, "b": 10}, D(10)),
    (
        "below the threshold a proportional ratio is taken as is",
        {"type": "ratio", "full_at": 0.8},
        {"a": 5, "b": 10},
        D(5),
    ),
    (
        "below the threshold a scaled ratio is stretched to it",
        {"type": "ratio", "full_at": 0.8, "below_threshold": "scaled"},
        {"a": 4, "b": 10},
        D(5),
    ),
    ("b = 0 earns nothing by default", {"type": "ratio"}, {"a": 0, "b": 0}, D(0)),
    (
        "b = 0 earns full points when the framework says so",
        {"type": "ratio", "zero_denominator": "full"},
        {"a": 0, "b": 0},
        D(10),
    ),
    (
        "a count earns the highest tier it reaches",
        {
            "type": "count_tiers",
            "tiers": [{"min": 4, "points": 10}, {"min": 3, "points": 7.5}, {"min": 1, "points": 2.5}],
        },
        {"count": 3},
        D("7.5"),
    ),
    (
        "a count above every tier earns the top tier",
        {"type": "count_tiers", "tiers": [{"min": 4, "points": 10}, {"min": 1, "points": 2.5}]},
        {"count": 40},
        D(10),
    ),
    (
        "a count below every tier earns nothing",
        {"type": "count_tiers", "tiers": [{"min": 4, "points": 10}, {"min": 1, "points": 2.5}]},
        {"count": 0},
        D(0),
    ),
    ("external points are taken as given", {"type": "external"}, {"points": "7,25"}, D("7.25")),
    ("an external value is multiplied by the maximum", {"type": "external", "input": "value"}, {"value": "0.5"}, D(5)),
    (
        "a unit alone in its cohort gets full min-max points when all-equal is full",
        {"type": "minmax"},
        {"value": 3},
        D(10),
    ),
    (
        "a unit alone in its cohort gets nothing when all-equal is zero",
        {"type": "minmax", "all_equal": "zero"},
        {"value": 3},
        D(0),
    ),
]


@pytest.mark.parametrize(("rule", "params", "raw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_method_rule(rule, params, raw, expected):
    m = method(**params)
    assert m.points(m.parse(raw, MAX), MAX) == expected


MINMAX_CASES = [
    # (rule, params, x, low, high, expected)
    ("min-max gives the best full points", {}, D(8), D(2), D(8), D(10)),
    ("min-max gives the worst nothing", {}, D(2), D(2), D(8), D(0)),
    ("min-max places the middle proportionally", {}, D(5), D(2), D(8), D(5)),
    ("lower-is-better min-max gives the lowest full points", {"direction": "lower"}, D(2), D(2), D(8), D(10)),
    ("lower-is-better min-max gives the highest nothing", {"direction": "lower"}, D(8), D(2), D(8), D(0)),
    ("max-ratio divides by the best value", {"variant": "max_ratio"}, D(4), D(2), D(8), D(5)),
    (
        "lower-is-better max-ratio divides the best by the value",
        {"variant": "max_ratio", "direction": "lower"},
        D(8),
        D(2),
        D(8),
        D("2.5"),
    ),
    (
        "lower-is-better max-ratio gives a zero value full points",
        {"variant": "max_ratio", "direction": "lower"},
        D(0),
        D(0),
        D(8),
        D(10),
    ),
    ("all values equal earn full points under the full rule", {}, D(3), D(3), D(3), D(10)),
    ("all values equal earn nothing under the zero rule", {"all_equal": "zero"}, D(3), D(3), D(3), D(0)),
]


@pytest.mark.parametrize(
    ("rule", "params", "x", "low", "high", "expected"), MINMAX_CASES, ids=[c[0] for c in MINMAX_CASES]
)
def test_minmax_rule(rule, params, x, low, high, expected):
    m = method(type="minmax", **params)
    assert m.relative_points(x, low, high, MAX) == expected


REJECTED = [
    ("a missing yes/no answer", {"type": "yes_no"}, {}, "missing"),
    (
        "an unknown option",
        {
            "type": "options",
            "options": [{"code": "a", "label": "A", "fraction": 1}, {"code": "b", "label": "B", "fraction": 0}],
        },
        {"option": "z"},
        "unknown_option",
    ),
    ("an unknown criterion", {"type": "criteria", "criteria": [("x", 10)]}, {"criteria": ["q"]}, "unknown_criterion"),
    ("criteria given as text", {"type": "criteria", "criteria": [("x", 10)]}, {"criteria": "x"}, "not_a_list"),
    ("a ratio with text for a number", {"type": "ratio"}, {"a": "mười", "b": 4}, "not_a_number"),
    ("a ratio with a negative number", {"type": "ratio"}, {"a": -1, "b": 4}, "out_of_range"),
    ("a ratio with a above b", {"type": "ratio"}, {"a": 5, "b": 4}, "a_above_b"),
    ("a ratio with a missing b", {"type": "ratio"}, {"a": 5}, "missing"),
    (
        "a fractional count",
        {"type": "count_tiers", "tiers": [{"min": 1, "points": 10}]},
        {"count": "2,5"},
        "not_an_integer",
    ),
    ("a min-max value above its bound", {"type": "minmax", "max_value": 100}, {"value": 101}, "out_of_range"),
    ("external points above the maximum", {"type": "external"}, {"points": 11}, "out_of_range"),
    ("an external value above one", {"type": "external", "input": "value"}, {"value": "1.2"}, "out_of_range"),
]


@pytest.mark.parametrize(("case", "params", "raw", "reason"), REJECTED, ids=[c[0] for c in REJECTED])
def test_invalid_answer_is_rejected_with_its_reason(case, params, raw, reason):
    m = method(**params)
    with pytest.raises(InvalidAnswer) as info:
        m.parse(raw, MAX)
    assert info.value.reason == reason


BAD_PARAMS = [
    ("unknown method", {"type": "guess"}, "unknown method"),
    ("one option only", {"type": "options", "options": [{"code": "a", "label": "A", "fraction": 1}]}, "at least two"),
    (
        "no option at full points",
        {
            "type": "options",
            "options": [{"code": "a", "label": "A", "fraction": 0.5}, {"code": "b", "label": "B", "fraction": 0}],
        },
        "full points",
    ),
    (
        "an option above the maximum",
        {
            "type": "options",
            "options": [{"code": "a", "label": "A", "fraction": 1.5}, {"code": "b", "label": "B", "fraction": 1}],
        },
        "outside 0..1",
    ),
    ("criteria not summing to the maximum", {"type": "criteria", "criteria": [("x", 3)]}, "sum to 3"),
    ("a threshold above one", {"type": "ratio", "full_at": 1.5}, "full_at"),
    ("an unknown b = 0 rule", {"type": "ratio", "zero_denominator": "maybe"}, "zero_denominator"),
    ("a top tier below the maximum", {"type": "count_tiers", "tiers": [{"min": 1, "points": 5}]}, "top tier"),
    (
        "tiers earning less for more",
        {"type": "count_tiers", "tiers": [{"min": 1, "points": 10}, {"min": 2, "points": 5}]},
        "earns less",
    ),
    ("an unknown min-max variant", {"type": "minmax", "variant": "zscore"}, "variant"),
]


@pytest.mark.parametrize(("case", "params", "needle"), BAD_PARAMS, ids=[c[0] for c in BAD_PARAMS])
def test_bad_method_parameters_are_refused_with_a_reason(case, params, needle):
    with pytest.raises(ValueError, match=needle):
        method(**params)
