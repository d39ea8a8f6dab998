"""Properties that must hold for any answers (Hypothesis)."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import AnswerInput, UnitInput, parse_answer, score_all
from scoring.loader import load_framework
from scoring.ranking import competition_ranks
from tests.scoring.conftest import FRAMEWORKS

SO = load_framework(FRAMEWORKS / "dongthap-1397-so.yaml")
HUYEN = load_framework(FRAMEWORKS / "dongthap-1397-huyen.yaml")


def raw_answer(sub):
    kind = sub.method.kind
    if kind == "yes_no":
        return st.builds(lambda b: {"yes": b}, st.booleans())
    if kind == "options":
        return st.sampled_from([{"option": o.code} for o in sub.method.options])
    if kind == "criteria":
        return st.builds(lambda cs: {"criteria": cs}, st.lists(st.sampled_from([c.code for c in sub.criteria])))
    if kind == "ratio":
        return st.builds(lambda b, share: {"a": int(b * share), "b": b}, st.integers(0, 500), st.fractions(0, 1))
    if kind == "count_tiers":
        return st.builds(lambda n: {"count": n}, st.integers(0, 60))
    if kind == "minmax":
        top = sub.method.max_value or D(1000)
        if sub.method.value.integer:  # a count, e.g. incidents
            return st.builds(lambda v: {"value": v}, st.integers(0, int(min(top, D(1000)))))
        return st.builds(lambda v: {"value": v}, st.decimals(0, top, places=2))
    return st.builds(lambda v: {"value": v}, st.decimals(0, 1, places=3))


@st.composite
def units(draw, fw, n_min=1, n_max=6):
    out = []
    for n in range(draw(st.integers(n_min, n_max))):
        answers = {}
        for sub in fw.sub_indices:
            if draw(st.booleans()) or draw(st.booleans()):
                parsed = parse_answer(sub, draw(raw_answer(sub)))
                verified = draw(st.none() | st.decimals(0, sub.max_points, places=2))
                answers[sub.code] = AnswerInput(parsed, verified)
        attributes = {"has_public_services": draw(st.booleans())}
        out.append(UnitInput(f"U{n:02d}", cohort="", attributes=attributes, answers=answers))
    return out


@pytest.mark.slow  # sixty whole frameworks' worth of units: seconds, run by `make test` and CI
@settings(max_examples=60, deadline=None)
@given(st.sampled_from([SO, HUYEN]).flatmap(lambda fw: st.tuples(st.just(fw), units(fw))))
def test_points_stay_within_zero_and_the_maximum_and_totals_equal_the_sum_of_their_parts(case):
    fw, unit_inputs = case
    for entry in score_all(fw, unit_inputs)[""].entries:
        result = entry.result
        for sub in result.subs.values():
            assert 0 <= sub.points <= sub.max_points
        for index in fw.indices:
            node = result.indices[index.code]
            assert node.points == sum(
                result.subs[s.code].points for s in index.sub_indices if result.subs[s.code].status != "not_applicable"
            )
            assert 0 <= node.points <= node.max_points <= index.max_points
        assert result.points == sum(n.points for n in result.indices.values())
        assert 0 <= result.value <= 1


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.sampled_from([SO, HUYEN]).flatmap(lambda fw: st.tuples(st.just(fw), units(fw, 2, 8))))
def test_a_strictly_higher_value_never_ranks_lower_and_the_best_min_max_unit_gets_full_points(case):
    fw, unit_inputs = case
    cohort = score_all(fw, unit_inputs)[""]
    ranked = cohort.ranked
    for a in ranked:
        for b in ranked:
            if a.result.value > b.result.value:
                assert a.rank <= b.rank
    for sub in fw.sub_indices:
        if sub.method.kind != "minmax":
            continue
        scored = [e.result.subs[sub.code] for e in cohort.entries if e.result.subs[sub.code].self_points is not None]
        if scored:
            assert max(s.self_points for s in scored) == sub.max_points


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30))
def test_ties_share_a_rank_and_the_next_rank_is_skipped_for_any_scores(scores):
    ranked = competition_ranks(list(range(len(scores))), key=lambda i: D(scores[i]))
    for item, rank in ranked:
        assert rank == 1 + sum(1 for s in scores if s > scores[item])
