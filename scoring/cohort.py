"""Score every unit of a cohort ("khối") together: min-max items, ranking and cohort figures."""

from __future__ import annotations

import gc
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from scoring.model import Framework, SubIndex
from scoring.numbers import ZERO, quantize
from scoring.ranking import competition_ranks
from scoring.unit import RelativeStats, UnitInput, UnitResult, score_unit


@dataclass(frozen=True)
class RankedUnit:
    result: UnitResult
    rank: int | None  # None for units that are scored but not ranked

    @property
    def code(self) -> str:
        return self.result.unit.code

    @property
    def name(self) -> str:
        return self.result.unit.name


@dataclass(frozen=True)
class CohortStats:
    count: int
    average_points: Decimal
    average_value: Decimal
    top: RankedUnit
    bottom: RankedUnit
    spread_points: Decimal  # top minus bottom
    share_at_or_above_average: Decimal  # 0..1


@dataclass(frozen=True)
class CohortResult:
    code: str
    name: str
    entries: tuple[RankedUnit, ...]  # ranked units by rank, then the unranked ones
    stats: CohortStats | None
    relative: Mapping[str, RelativeStats]
    _by_code: dict[str, RankedUnit] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code.update({e.code: e for e in self.entries})

    def entry(self, unit_code: str) -> RankedUnit:
        return self._by_code[unit_code]

    def __contains__(self, unit_code: object) -> bool:
        return unit_code in self._by_code

    @property
    def ranked(self) -> list[RankedUnit]:
        return [e for e in self.entries if e.rank is not None]


def rank_key(framework: Framework, result: UnitResult) -> Decimal:
    """The figure units are ranked on, rounded as the framework's published tables round it."""
    policy = framework.ranking
    figure = result.points if policy.compare == "points" else result.value
    return figure if policy.tie_decimals is None else quantize(figure, policy.tie_decimals)


def expects_value(sub: SubIndex, attributes: Mapping[str, object], published_indices: Container[str]) -> bool:
    """Whether a unit of the cohort takes part in a min-max item's range: the item applies to the
    unit and the unit's index is not taken from published values. Only such units' values set the
    range, and the range is final once each of them has given a readable value."""
    return sub.index_code not in published_indices and sub.applies_to(attributes)


def minmax_range(values: Sequence[Decimal], expected: int) -> RelativeStats | None:
    """A min-max item's range over the readable values given by units that take part in it
    (`expects_value`); no longer provisional once all `expected` of them have given one."""
    if not values:
        return None
    return RelativeStats(min(values), max(values), complete=len(values) >= expected)


def relative_stats(framework: Framework, units: Sequence[UnitInput]) -> dict[str, RelativeStats]:
    """The range of every min-max item's submitted values among the units that take part in it (a
    draft never moves another unit's points: see `AnswerInput.submitted`)."""
    stats: dict[str, RelativeStats] = {}
    for sub in framework.sub_indices:
        if not sub.method.relative:
            continue
        values: list[Decimal] = []
        expected = 0
        for unit in units:
            if not expects_value(sub, unit.attributes, unit.index_values):
                continue
            expected += 1
            answer = unit.answers.get(sub.code)
            if answer is not None and answer.answer is not None and answer.submitted:
                values.append(answer.answer["value"])
        found = minmax_range(values, expected)
        if found is not None:
            stats[sub.code] = found
    return stats


def score_cohort(framework: Framework, units: Sequence[UnitInput], code: str = "") -> CohortResult:
    """Score units that belong to one cohort and rank the ones flagged as ranked."""
    relative = relative_stats(framework, units)
    results = [score_unit(framework, u, relative) for u in units]
    return rank_results(framework, results, code, relative)


def rank_results(
    framework: Framework,
    results: Sequence[UnitResult],
    code: str = "",
    relative: Mapping[str, RelativeStats] | None = None,
) -> CohortResult:
    """Rank already scored units of one cohort (results may come from a streaming pass)."""
    results = sorted(results, key=lambda r: r.unit.code)
    ranked = competition_ranks([r for r in results if r.unit.ranked], key=lambda r: rank_key(framework, r))
    unranked = sorted((r for r in results if not r.unit.ranked), key=lambda r: -r.value)
    entries = tuple(RankedUnit(r, rank) for r, rank in ranked) + tuple(RankedUnit(r, None) for r in unranked)
    return CohortResult(
        code=code,
        name=framework.ranking.cohort_name(code),
        entries=entries,
        stats=_stats([e for e in entries if e.rank is not None]),
        relative=relative or {},
    )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Scoring allocates ~10 acyclic objects per answer; the cyclic collector would rescan them
    again and again (half the time of a national recompute) without ever finding garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def score_all(framework: Framework, units: Iterable[UnitInput]) -> dict[str, CohortResult]:
    """Score and rank every cohort; the result is ordered by cohort code."""
    by_cohort: dict[str, list[UnitInput]] = {}
    for unit in units:
        by_cohort.setdefault(unit.cohort, []).append(unit)
    with _cyclic_gc_paused():
        return {code: score_cohort(framework, by_cohort[code], code) for code in sorted(by_cohort)}


def _stats(ranked: list[RankedUnit]) -> CohortStats | None:
    if not ranked:
        return None
    n = len(ranked)
    average_points = sum((e.result.points for e in ranked), ZERO) / n
    average_value = sum((e.result.value for e in ranked), ZERO) / n
    at_or_above = sum(1 for e in ranked if e.result.value >= average_value)
    top, bottom = ranked[0], ranked[-1]
    return CohortStats(
        count=n,
        average_points=average_points,
        average_value=average_value,
        top=top,
        bottom=bottom,
        spread_points=top.result.points - bottom.result.points,
        share_at_or_above_average=Decimal(at_or_above) / n,
    )
