"""Weakest items, projection, what-if and change since the previous period."""

from decimal import Decimal as D

from scoring import AnswerInput, UnitInput, compare_periods, parse_answer, project, score_all, weakest_sub_indices
from scoring.analysis import what_if


def answered(fw, raw):
    return {c: AnswerInput(parse_answer(fw.sub_index(c), r)) for c, r in raw.items()}


def test_the_weakest_sub_indices_come_by_points_lost_then_in_framework_order(so):
    unit = UnitInput(
        "S", answers=answered(so, {"1.1": {"option": "deputy"}, "1.2": {"yes": False}, "2.1": {"yes": True}})
    )
    cohort = score_all(so, [unit])[""]
    weakest = weakest_sub_indices(cohort.entry("S").result.subs.values(), limit=4)
    # 6.1 does not apply (no public services); 6.2 loses 15, then 10-point items in framework order
    assert [(s.code, s.lost) for s in weakest] == [("6.2", 15), ("3.1", 10), ("3.2", 10), ("3.3", 10)]
    assert all(s.code != "2.1" for s in weakest_sub_indices(cohort.entry("S").result.subs.values()))


def test_the_projection_counts_unanswered_items_as_zero_now_and_at_full_potentially(so):
    unit = UnitInput(
        "S",
        attributes={"has_public_services": True},
        answers=answered(so, {"1.2": {"yes": False}, "2.1": {"yes": True}}),
    )
    projection = project(score_all(so, [unit])[""].entry("S"))
    assert projection.points == D(6)
    assert projection.potential_points == D(200) - D(6)  # everything but the 1.2 answered "no"


def test_what_if_gives_the_rank_reached_with_items_at_full_points(so):
    strong = UnitInput("A", answers=answered(so, {"6.2": {"a": 9, "b": 10}, "3.2": {"yes": True}}))
    weak = UnitInput("B", answers=answered(so, {"6.2": {"a": 0, "b": 10}}))
    cohort = score_all(so, [strong, weak])[""]
    result = what_if(so, cohort, "B", ["6.2", "3.2", "1.2"])
    assert (result.rank_before, result.rank_after) == (2, 1)
    assert result.points == D(31)


def test_change_since_last_period_gives_points_per_index_and_ranks_moved(qd922):
    def unit(code, value):
        return UnitInput(code, index_values={c: D(value) for c in "12345789"})

    before = score_all(qd922, [unit("A", "0.5"), unit("B", "0.6")])[""]
    now = score_all(qd922, [unit("A", "0.7"), unit("B", "0.6")])[""]
    change = compare_periods(now.entry("A"), before.entry("A"))
    assert change.points_delta == D(200)
    assert change.index_deltas["7"] == D(40)
    assert change.ranks_moved_up == 1
