"""Score one unit against a framework: sub-index → index → pillar → total, value, band, counts.

Inputs are already validated answers (see `parse_answer`); relative (min-max) items need the
cohort's range, which `scoring.cohort` computes and passes in as `relative`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from scoring.errors import InvalidAnswer
from scoring.methods import MinMax, Ratio
from scoring.model import Framework, Index, SubIndex
from scoring.numbers import HUNDRED, ZERO, quantize

FULL, PARTIAL, ZERO_POINTS, UNANSWERED, NOT_APPLICABLE = "full", "partial", "zero", "unanswered", "not_applicable"
STATUSES = (FULL, PARTIAL, ZERO_POINTS, UNANSWERED, NOT_APPLICABLE)


class AnswerInput(NamedTuple):
    """A validated answer (None when only a reviewer's points exist) and the verified points.

    `submitted` is False for a draft the unit is still typing: a draft never sets a cohort-relative
    (min-max) range, so it cannot move other units' points; the unit's own draft is scored against
    the range of the submitted values (widened to include it), provisionally. `appraised`: an appraiser
    accepted the answer — a min-max item accepted keeps no verified points (they follow the cohort),
    yet it is no longer self-scored."""

    answer: Mapping[str, Any] | None
    verified_points: Decimal | None = None
    submitted: bool = True
    appraised: bool = False


class RelativeStats(NamedTuple):
    """The range of a min-max item's values in a cohort; `complete` once every unit answered."""

    low: Decimal
    high: Decimal
    complete: bool


@dataclass(frozen=True)
class UnitInput:
    code: str
    name: str = ""
    cohort: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    ranked: bool = True
    answers: Mapping[str, AnswerInput] = field(default_factory=dict)
    index_values: Mapping[str, Decimal] = field(default_factory=dict)


class SubResult(NamedTuple):
    code: str
    max_points: Decimal
    points: Decimal
    self_points: Decimal | None
    verified_points: Decimal | None
    status: str
    provisional: bool
    position: int

    @property
    def lost(self) -> Decimal:
        return ZERO if self.status == NOT_APPLICABLE else self.max_points - self.points


class NodeResult(NamedTuple):
    """An index or a pillar: points over the maximum that applies to this unit."""

    code: str
    points: Decimal
    max_points: Decimal
    source: str  # "answers" or "published"

    @property
    def value(self) -> Decimal:
        return self.points / self.max_points if self.max_points else ZERO


class Counts(NamedTuple):
    full: int
    partial: int
    zero: int
    unanswered: int
    not_applicable: int


@dataclass(frozen=True)
class UnitResult:
    unit: UnitInput
    subs: dict[str, SubResult]
    indices: dict[str, NodeResult]
    pillars: dict[str, NodeResult]
    points: Decimal
    max_points: Decimal
    value: Decimal
    percent: Decimal
    band: str
    counts: Counts
    self_scored: int
    relative_provisional: bool

    @property
    def provisional(self) -> bool:
        """True while any figure may still change: self-scored items or an incomplete min-max range."""
        return self.self_scored > 0 or self.relative_provisional or self.counts.unanswered > 0


def answerable_items(framework: Framework, attributes: Mapping[str, Any]) -> tuple[SubIndex, ...]:
    """The items a unit with these attributes answers itself, in framework order: every item that
    applies to it, except those whose figure comes from outside (entered by a coordinator).
    Worked out once per framework and set of attributes."""
    known: dict[str, tuple[SubIndex, ...]] = framework.cache.setdefault("answerable", {})
    key = json.dumps(attributes, sort_keys=True, default=str)
    items = known.get(key)
    if items is None:
        if len(known) > 1000:
            known.clear()
        items = known[key] = tuple(
            s for s in framework.sub_indices if s.method.kind != "external" and s.applies_to(attributes)
        )
    return items


def parse_answer(sub: SubIndex, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a raw answer for a sub-index (raises InvalidAnswer)."""
    return sub.method.parse(raw, sub.max_points)


def read_stored(sub: SubIndex, raw: Any) -> dict[str, Any] | None:
    """A stored answer read back by its item's method, or None when it no longer fits the item (a
    framework edited under a period, a value kept from before the bounds existed, a row edited by
    hand). Such an answer is left out of every figure, the same way everywhere, and never breaks one."""
    if not isinstance(raw, Mapping):
        return None
    try:
        return parse_answer(sub, raw)
    except (InvalidAnswer, ArithmeticError, TypeError, ValueError, AttributeError, KeyError):
        return None


def score_sub(
    sub: SubIndex, answer: AnswerInput | None, relative: RelativeStats | None = None
) -> tuple[Decimal | None, bool]:
    """The self points a sub-index earns (None if unanswered) and whether they are provisional."""
    if answer is None or answer.answer is None:
        return None, False
    if sub.method.relative:
        return relative_self_points(sub, answer, relative)
    return sub.method.points(answer.answer, sub.max_points), False


def relative_self_points(sub: SubIndex, answer: AnswerInput, relative: RelativeStats | None) -> tuple[Decimal, bool]:
    """A min-max item's points for a unit's value and whether they are provisional: against the
    cohort's range of submitted values, widened to include the unit's own value (a draft is not in
    the range: it is scored as if it were, for the unit alone, and stays provisional); a unit with no
    submitted peer value is scored by the all-equal rule."""
    method = sub.method
    assert isinstance(method, MinMax) and answer.answer is not None
    if relative is None:
        return method.points(answer.answer, sub.max_points), True
    mine = answer.answer["value"]
    points = method.relative_points(mine, min(relative.low, mine), max(relative.high, mine), sub.max_points)
    return points, not (relative.complete and answer.submitted)


class _Step(NamedTuple):
    """A sub-index flattened for the hot loop (4,500 units × 95 items must score in well under 1 s)."""

    code: str
    max_points: Decimal
    points: Callable[[Mapping[str, Any], Decimal], Decimal]
    relative: MinMax | None
    applies_if: Mapping[str, Any]
    ratio_na: bool  # a ratio whose b = 0 means "not applicable"
    position: int
    sub: SubIndex


def _plan(framework: Framework) -> tuple[tuple[Index, tuple[_Step, ...]], ...]:
    plan = framework.cache.get("unit_plan")
    if plan is None:
        plan = tuple(
            (
                index,
                tuple(
                    _Step(
                        s.code,
                        s.max_points,
                        s.method.points,
                        s.method if isinstance(s.method, MinMax) else None,
                        s.applies_if,
                        isinstance(s.method, Ratio) and s.method.zero_denominator == "not_applicable",
                        s.position,
                        s,
                    )
                    for s in index.sub_indices
                ),
            )
            for index in framework.indices
        )
        framework.cache["unit_plan"] = plan
    return plan


def score_unit(
    framework: Framework,
    unit: UnitInput,
    relative: Mapping[str, RelativeStats] | None = None,
    overrides: Mapping[str, Decimal] | None = None,
) -> UnitResult:
    """Score a unit. `overrides` forces the points of some sub-indices (used by what-if)."""
    relative = relative or {}
    award_full = framework.not_applicable == "award_full"
    sub_places = framework.rounding.sub_index
    attributes, answers, index_values = unit.attributes, unit.answers, unit.index_values
    subs: dict[str, SubResult] = {}
    indices: dict[str, NodeResult] = {}
    n_full = n_partial = n_zero = n_unanswered = n_na = self_scored = 0
    rel_provisional = False
    for index, steps in _plan(framework):
        if index.code in index_values:
            indices[index.code] = NodeResult(
                index.code, index_values[index.code] * index.max_points, index.max_points, "published"
            )
            continue
        i_points = i_max = ZERO
        for step in steps:
            code, max_points = step.code, step.max_points
            answer = answers.get(code)
            raw = None if answer is None else answer.answer
            if (step.applies_if and not step.sub.applies_to(attributes)) or (
                step.ratio_na and raw is not None and raw["b"] == 0
            ):
                n_na += 1
                pts = max_points if award_full else ZERO
                subs[code] = SubResult(code, max_points, pts, None, None, NOT_APPLICABLE, False, step.position)
                if award_full:
                    i_points += pts
                    i_max += max_points
                continue
            provisional = False
            if raw is None:
                self_points = None
            elif step.relative is None:
                self_points = step.points(raw, max_points)
            else:
                self_points, provisional = relative_self_points(step.sub, answer, relative.get(code))
            if self_points is not None and sub_places is not None:
                self_points = quantize(self_points, sub_places)
            verified = None if answer is None else answer.verified_points
            if overrides and code in overrides:
                verified = overrides[code]
            if verified is not None:
                pts, provisional = verified, False
            elif self_points is not None:
                pts = self_points
                if not answer.appraised:
                    self_scored += 1
            else:
                pts = ZERO
            if provisional:
                rel_provisional = True
            if self_points is None and verified is None:
                status = UNANSWERED
                n_unanswered += 1
            elif pts >= max_points:
                status = FULL
                n_full += 1
            elif pts == 0:
                status = ZERO_POINTS
                n_zero += 1
            else:
                status = PARTIAL
                n_partial += 1
            subs[code] = SubResult(code, max_points, pts, self_points, verified, status, provisional, step.position)
            i_points += pts
            i_max += max_points
        if not steps:
            i_max = index.max_points
        indices[index.code] = NodeResult(index.code, i_points, i_max, "answers")
    return _finish(
        framework,
        unit,
        subs,
        indices,
        Counts(n_full, n_partial, n_zero, n_unanswered, n_na),
        self_scored,
        rel_provisional,
    )


def _finish(
    framework: Framework,
    unit: UnitInput,
    subs: dict[str, SubResult],
    indices: dict[str, NodeResult],
    counts: Counts,
    self_scored: int,
    rel_provisional: bool,
) -> UnitResult:
    pillars: dict[str, NodeResult] = {}
    for pillar in framework.pillars:
        nodes = [indices[c] for c in pillar.index_codes]
        source = "published" if all(n.source == "published" for n in nodes) else "answers"
        pillars[pillar.code] = NodeResult(
            pillar.code, sum((n.points for n in nodes), ZERO), sum((n.max_points for n in nodes), ZERO), source
        )
    points = sum((n.points for n in indices.values()), ZERO)
    max_points = sum((n.max_points for n in indices.values()), ZERO)
    if framework.value_formula == "pillar_mean":
        scored = [p for p in pillars.values() if p.max_points]
        value = sum((p.value for p in scored), ZERO) / len(scored) if scored else ZERO
    else:
        value = points / max_points if max_points else ZERO
    percent = value * HUNDRED
    return UnitResult(
        unit=unit,
        subs=subs,
        indices=indices,
        pillars=pillars,
        points=points,
        max_points=max_points,
        value=value,
        percent=percent,
        band=framework.ranking.band_for(percent),
        counts=counts,
        self_scored=self_scored,
        relative_provisional=rel_provisional,
    )
