"""A unit's result: totals, value, band, counts, applicability, verified over self points."""

from decimal import Decimal as D

from scoring import AnswerInput, UnitInput, parse_answer, score_unit
from scoring.cohort import score_all
from scoring.numbers import quantize
from tests.scoring.conftest import small_framework


def answers(fw, **raw):
    return {
        code.replace("_", "."): AnswerInput(parse_answer(fw.sub_index(code.replace("_", ".")), r))
        for code, r in raw.items()
    }


def test_the_published_2022_value_of_da_nang_is_reproduced(qd922):
    values = dict(
        zip("12345789", ["1.0000", "0.9000", "0.8253", "0.8487", "0.7578", "0.8575", "0.7836", "0.5197"], strict=True)
    )
    unit = UnitInput("DNG", "Đà Nẵng", index_values={k: D(v) for k, v in values.items()})
    result = score_unit(qd922, unit)
    assert result.points == D("800.175")
    assert quantize(result.value, 4) == D("0.8002")
    assert result.indices["7"].points == D("171.5") and result.indices["7"].source == "published"


def test_totals_count_each_status_and_take_the_band_from_the_percent():
    fw = small_framework()
    unit = UnitInput(
        "U",
        attributes={"has_public_services": True},
        answers=answers(fw, **{"1_1": {"yes": True}, "1_2": {"a": 1, "b": 4}}),
    )
    result = score_unit(fw, unit)
    assert (result.subs["1.1"].status, result.subs["1.2"].status, result.subs["2.1"].status) == (
        "full",
        "partial",
        "unanswered",
    )
    assert result.counts == (1, 1, 0, 1, 0)
    assert result.points == D("12.5") and result.max_points == D(30)
    assert result.indices["1"].points == D("12.5") and result.pillars["P"].points == D("12.5")
    assert result.band == "dưới trung bình"
    assert result.provisional


def test_verified_points_replace_self_points_where_present():
    fw = small_framework()
    raw = answers(fw, **{"1_1": {"yes": True}})
    unit = UnitInput("U", answers={"1.1": AnswerInput(raw["1.1"].answer, verified_points=D(4))})
    sub = score_unit(fw, unit).subs["1.1"]
    assert (sub.self_points, sub.verified_points, sub.points, sub.status) == (D(10), D(4), D(4), "partial")


def test_a_sub_index_that_does_not_apply_shrinks_the_maximum_under_the_shrink_policy():
    fw = small_framework("shrink_max")
    unit = UnitInput(
        "U",
        attributes={"has_public_services": False},
        answers=answers(fw, **{"1_1": {"yes": True}, "2_1": {"value": 5}}),
    )
    result = score_unit(fw, unit)
    assert result.subs["1.2"].status == "not_applicable"
    assert result.max_points == D(20) and result.points == D(20) and result.value == 1
    assert result.counts.not_applicable == 1


def test_a_sub_index_that_does_not_apply_earns_full_points_under_the_award_policy():
    fw = small_framework("award_full")
    unit = UnitInput("U", attributes={}, answers=answers(fw, **{"1_1": {"yes": False}}))
    result = score_unit(fw, unit)
    assert result.max_points == D(30) and result.points == D(10)


def test_a_ratio_with_no_cases_is_not_applicable_when_the_framework_says_so(so):
    unit = UnitInput("S", attributes={"has_public_services": True}, answers=answers(so, **{"6_1": {"a": 0, "b": 0}}))
    result = score_unit(so, unit)
    assert result.subs["6.1"].status == "not_applicable"
    assert result.max_points == D(185)


def test_an_unanswered_unit_scores_zero_with_every_item_unanswered(huyen):
    result = score_unit(huyen, UnitInput("H"))
    assert result.points == 0 and result.counts.unanswered == 35 and result.value == 0


def test_min_max_points_are_provisional_until_the_whole_cohort_has_answered(so):
    a = UnitInput("A", cohort="so-nganh", answers=answers(so, **{"3_4": {"value": 100}}))
    b = UnitInput("B", cohort="so-nganh", answers=answers(so, **{"3_4": {"value": 50}}))
    c = UnitInput("C", cohort="so-nganh")
    cohort = score_all(so, [a, b, c])["so-nganh"]
    sub_b = cohort.entry("B").result.subs["3.4"]
    assert sub_b.points == D(5) and sub_b.provisional
    complete = score_all(so, [a, b])["so-nganh"]
    assert not complete.entry("B").result.subs["3.4"].provisional


def test_a_min_max_item_an_appraiser_accepted_is_no_longer_counted_as_self_scored(so):
    accepted = answers(so, **{"3_4": {"value": 50}})["3.4"]._replace(appraised=True)
    a = UnitInput("A", cohort="so-nganh", answers=answers(so, **{"3_4": {"value": 100}}))
    b = UnitInput("B", cohort="so-nganh", answers={"3.4": accepted})
    cohort = score_all(so, [a, b])["so-nganh"]
    mine, theirs = cohort.entry("B").result, cohort.entry("A").result
    assert mine.subs["3.4"].points == D(5) and mine.subs["3.4"].verified_points is None  # still the cohort's
    assert (mine.self_scored, theirs.self_scored) == (0, 1)
