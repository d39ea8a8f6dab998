"""Each domain rule lives once in `scoring` and everything else asks it: which items a unit answers,
which units set a min-max range and when it stops being provisional, how a stored answer is read
back (also after the framework changed under it), and the words that mean yes and no."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring import AnswerInput, InvalidAnswer, UnitInput, parse_answer, score_cohort
from scoring.cohort import expects_value, minmax_range, relative_stats
from scoring.loader import load_framework_text
from scoring.methods import read_yes_no
from scoring.unit import answerable_items, read_stored
from tests.scoring.conftest import SMALL, small_framework

D = Decimal

# The small framework with its min-max item limited to units with public services, and an item whose
# figure a coordinator enters.
GUARDED = SMALL.format(na="shrink_max").replace(
    '{code: "2.1", name: So sánh, question: "?", max_points: 10, method: {type: minmax}}',
    '{code: "2.1", name: So sánh, question: "?", max_points: 5, method: {type: minmax}, '
    "applies_if: {has_public_services: true}}\n"
    '          - {code: "2.2", name: Bên ngoài, question: "?", max_points: 5, method: {type: external}}',
)


@pytest.fixture(scope="module")
def guarded():
    return load_framework_text(GUARDED, "guarded.yaml")


def unit(code, value=None, services=True, published=None):
    answers = {} if value is None else {"2.1": AnswerInput({"value": D(value)})}
    return UnitInput(
        code, cohort="a", attributes={"has_public_services": services}, answers=answers, index_values=published or {}
    )


# -- which items a unit answers ---------------------------------------------------------------------
def test_a_unit_answers_the_items_that_apply_to_it_in_framework_order_and_never_an_external_one(guarded):
    assert [s.code for s in answerable_items(guarded, {"has_public_services": True})] == ["1.1", "1.2", "2.1"]
    assert [s.code for s in answerable_items(guarded, {"has_public_services": False})] == ["1.1"]
    assert [s.code for s in answerable_items(guarded, {})] == ["1.1"]


# -- min-max ranges -----------------------------------------------------------------------------------
def test_a_unit_the_min_max_item_does_not_apply_to_takes_no_part_in_its_range(guarded):
    sub = guarded.sub_index("2.1")
    assert expects_value(sub, {"has_public_services": True}, {})
    assert not expects_value(sub, {"has_public_services": False}, {})


def test_a_unit_whose_index_is_published_takes_no_part_in_the_range_of_that_index_s_items(guarded):
    sub = guarded.sub_index("2.1")
    assert not expects_value(sub, {"has_public_services": True}, {"2": D("0.5")})
    assert expects_value(sub, {"has_public_services": True}, {"1": D("0.5")})


def test_a_range_stays_provisional_until_every_unit_taking_part_has_given_a_value():
    assert minmax_range([D(3), D(9)], expected=3) == (D(3), D(9), False)
    assert minmax_range([D(3), D(9), D(5)], expected=3) == (D(3), D(9), True)
    assert minmax_range([], expected=3) is None


def test_the_range_is_final_once_the_units_it_applies_to_answered_while_the_others_never_did(guarded):
    units = [unit("A", 10), unit("B", 20), unit("C", services=False)]
    assert relative_stats(guarded, units)["2.1"] == (D(10), D(20), True)
    assert relative_stats(guarded, [*units, unit("D")])["2.1"].complete is False


def test_a_value_left_by_a_unit_the_item_no_longer_applies_to_does_not_move_the_range(guarded):
    units = [unit("A", 10), unit("B", 20), unit("C", 1000, services=False)]
    assert relative_stats(guarded, units)["2.1"] == (D(10), D(20), True)
    result = score_cohort(guarded, units, "a")
    assert result.entry("B").result.subs["2.1"].points == D(5)
    assert result.entry("B").result.subs["2.1"].provisional is False


# -- a stored answer read back ------------------------------------------------------------------------
def test_a_stored_answer_that_fits_its_item_reads_back_as_it_was_parsed():
    framework = small_framework()
    assert read_stored(framework.sub_index("1.2"), {"a": "3", "b": "4"}) == {"a": D(3), "b": D(4)}


def test_an_answer_stored_before_the_framework_changed_the_item_s_method_reads_back_as_nothing():
    framework = small_framework()
    # 1.1 was a ratio and is yes/no now; 2.1 was yes/no and is min-max now; 1.2 was a count.
    assert read_stored(framework.sub_index("1.1"), {"a": "3", "b": "4"}) is None
    assert read_stored(framework.sub_index("2.1"), {"yes": True}) is None
    assert read_stored(framework.sub_index("1.2"), {"count": "7"}) is None
    assert read_stored(framework.sub_index("1.2"), {"a": "x", "b": []}) is None
    assert read_stored(framework.sub_index("1.2"), ["not", "a", "mapping"]) is None
    assert read_stored(framework.sub_index("1.2"), None) is None


def test_a_stale_answer_is_left_out_of_the_ranking_and_the_unit_is_still_ranked():
    framework = small_framework()
    stale = read_stored(framework.sub_index("2.1"), {"yes": True})
    units = [
        UnitInput("A", cohort="a", answers={"2.1": AnswerInput({"value": D(4)})}),
        UnitInput("B", cohort="a", answers={"2.1": AnswerInput(stale)} if stale else {}),
    ]
    result = score_cohort(framework, units, "a")
    assert [e.code for e in result.ranked] == ["A", "B"]
    assert result.entry("B").result.subs["2.1"].status == "unanswered"
    assert result.relative["2.1"].complete is False


# -- yes and no -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["có", "Có", " CÓ ", "co", "đạt", "Đúng", "x", "yes", "TRUE", "1", "rồi"])
def test_the_words_people_use_for_yes_read_as_yes(text):
    assert read_yes_no(text) is True


@pytest.mark.parametrize("text", ["không", "Không  đạt", "khong", "ko", "chưa", "sai", "no", "FALSE", "0"])
def test_the_words_people_use_for_no_read_as_no(text):
    assert read_yes_no(text) is False


@pytest.mark.parametrize("text", ["", "có lẽ", "maybe", "2", "đạt một phần"])
def test_a_word_that_is_neither_yes_nor_no_reads_as_neither(text):
    assert read_yes_no(text) is None


def test_a_yes_no_answer_given_as_a_word_is_parsed_by_the_same_words():
    sub = small_framework().sub_index("1.1")
    assert parse_answer(sub, {"yes": "Có"}) == {"yes": True}
    assert parse_answer(sub, {"yes": "không"}) == {"yes": False}
    with pytest.raises(InvalidAnswer):
        parse_answer(sub, {"yes": "có lẽ"})
