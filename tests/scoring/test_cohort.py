"""Cohort results: ranking with shared ranks, not-ranked units, cohort figures, min-max."""

from decimal import Decimal as D

from scoring import UnitInput, score_all
from scoring.ranking import competition_ranks


def test_tied_units_share_a_rank_and_the_next_rank_is_skipped():
    ranked = competition_ranks(["a", "b", "c", "d"], key={"a": D(9), "b": D(8), "c": D(8), "d": D(7)}.get)
    assert [(item, rank) for item, rank in ranked] == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def test_ties_are_decided_on_the_published_precision(qd922):
    def unit(code, v7):
        return UnitInput(code, index_values={c: D("0.5") for c in "12345789"} | {"7": D(v7)})

    cohorts = score_all(qd922, [unit("A", "0.50001"), unit("B", "0.50002"), unit("C", "0.4")])
    ranks = {e.code: e.rank for e in cohorts[""].entries}
    assert ranks == {"A": 1, "B": 1, "C": 3}


def index_unit(code, cohort, value, ranked=True):
    return UnitInput(code, code, cohort, ranked=ranked, index_values={c: D(value) for c in "12345789"})


def test_units_are_ranked_only_within_their_cohort(qd922):
    cohorts = score_all(qd922, [index_unit("A", "x", "0.9"), index_unit("B", "y", "0.5"), index_unit("C", "x", "0.7")])
    assert list(cohorts) == ["x", "y"]
    assert [(e.code, e.rank) for e in cohorts["x"].entries] == [("A", 1), ("C", 2)]
    assert [(e.code, e.rank) for e in cohorts["y"].entries] == [("B", 1)]


def test_a_unit_flagged_not_ranked_is_scored_but_not_ranked(qd922):
    cohort = score_all(qd922, [index_unit("A", "", "0.6"), index_unit("B", "", "0.9", ranked=False)])[""]
    assert [(e.code, e.rank) for e in cohort.entries] == [("A", 1), ("B", None)]
    assert cohort.entry("B").result.points == D(900)
    assert cohort.stats.count == 1


def test_cohort_figures_give_average_top_bottom_spread_and_share_at_or_above_average(qd922):
    units = [index_unit("A", "", "0.9"), index_unit("B", "", "0.6"), index_unit("C", "", "0.6")]
    stats = score_all(qd922, units)[""].stats
    assert stats.average_points == D(700)
    assert stats.top.code == "A" and stats.bottom.code == "C"
    assert stats.spread_points == D(300)
    assert stats.share_at_or_above_average == D(1) / D(3)
