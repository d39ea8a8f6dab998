"""What leaders ask of a result: which items lose the most points, what fixing them would do,
and how things moved since last period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from scoring.cohort import CohortResult, RankedUnit, rank_key
from scoring.model import Framework
from scoring.numbers import ZERO
from scoring.ranking import rank_of
from scoring.unit import UNANSWERED, SubResult, score_unit


def weakest_sub_indices(result_subs: Iterable[SubResult], limit: int | None = None) -> list[SubResult]:
    """Sub-indices ordered by points lost (max − points), most first; ties in framework order.

    Items at full points and items that do not apply are left out.
    """
    losing = [s for s in result_subs if s.lost > 0]
    losing.sort(key=lambda s: (-s.lost, s.position))
    return losing if limit is None else losing[:limit]


@dataclass(frozen=True)
class Projection:
    points: Decimal  # unanswered items count as zero
    potential_points: Decimal  # unanswered items at full points
    max_points: Decimal

    @property
    def value(self) -> Decimal:
        return self.points / self.max_points if self.max_points else ZERO

    @property
    def potential_value(self) -> Decimal:
        return self.potential_points / self.max_points if self.max_points else ZERO


def project(entry: RankedUnit) -> Projection:
    result = entry.result
    missing = sum((s.max_points for s in result.subs.values() if s.status == UNANSWERED), ZERO)
    return Projection(result.points, result.points + missing, result.max_points)


@dataclass(frozen=True)
class WhatIf:
    sub_codes: tuple[str, ...]
    points: Decimal
    value: Decimal
    rank_before: int | None
    rank_after: int | None


def what_if(framework: Framework, cohort: CohortResult, unit_code: str, sub_codes: Iterable[str]) -> WhatIf:
    """The rank the unit would reach if the given sub-indices earned full points, others unchanged.

    Other units' min-max points are kept as they are: the answer is an estimate of one unit's move.
    """
    entry = cohort.entry(unit_code)
    codes = tuple(c for c in sub_codes if c in entry.result.subs)
    overrides = {c: framework.sub_index(c).max_points for c in codes}
    changed = score_unit(framework, entry.result.unit, cohort.relative, overrides)
    rank_after = None
    if entry.rank is not None:
        others = [rank_key(framework, e.result) for e in cohort.ranked if e.code != unit_code]
        rank_after = rank_of(rank_key(framework, changed), others)
    return WhatIf(codes, changed.points, changed.value, entry.rank, rank_after)


@dataclass(frozen=True)
class Change:
    points_delta: Decimal
    value_delta: Decimal
    index_deltas: dict[str, Decimal]  # indices present in both periods
    rank_before: int | None
    rank_now: int | None

    @property
    def ranks_moved_up(self) -> int | None:
        """Positive when the unit climbed ("tăng 12 bậc"), negative when it fell."""
        if self.rank_before is None or self.rank_now is None:
            return None
        return self.rank_before - self.rank_now


def compare_periods(current: RankedUnit, previous: RankedUnit) -> Change:
    now, before = current.result, previous.result
    deltas = {
        code: node.points - before.indices[code].points for code, node in now.indices.items() if code in before.indices
    }
    return Change(now.points - before.points, now.value - before.value, deltas, previous.rank, current.rank)
