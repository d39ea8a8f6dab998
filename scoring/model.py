"""The framework tree: framework → (optional pillar) → index → sub-index → optional criteria.

Immutable, built by `scoring.loader` (from a YAML file) and checked there. An assessment always
points at exactly one framework version, identified by `Framework.id` and the content hash the
storage layer keeps beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from scoring.methods import Criterion, Method

EVIDENCE_KINDS = ("photo", "file", "link", "document_ref")
NA_POLICIES = ("shrink_max", "award_full")
VALUE_FORMULAS = ("total_ratio", "pillar_mean")


@dataclass(frozen=True)
class EvidenceRule:
    """What a unit must send to prove an answer ("tài liệu kiểm chứng"). Required evidence is
    demanded only where the answer earns points (scoring.evidence); with `explanation_allowed`, the
    unit's explanation ("giải trình") may stand in for it."""

    required: bool = False
    kinds: tuple[str, ...] = ()
    description: str = ""
    explanation_allowed: bool = False


@dataclass(frozen=True)
class SubIndex:
    """Chỉ số thành phần: the unit of collection and scoring."""

    code: str
    name: str
    question: str
    max_points: Decimal
    method: Method
    hint: str = ""
    unit: str = ""
    criteria: tuple[Criterion, ...] = ()
    evidence: EvidenceRule = EvidenceRule()
    applies_if: Mapping[str, Any] = field(default_factory=dict)
    skippable: bool = True
    illustrative: bool = False
    index_code: str = ""
    position: int = 0

    def applies_to(self, attributes: Mapping[str, Any]) -> bool:
        """A sub-index applies when every attribute it names has the stated value."""
        return all(attributes.get(key, False) == wanted for key, wanted in self.applies_if.items())


@dataclass(frozen=True)
class Index:
    """Chỉ số chính, e.g. "Nhận thức số" worth 20 points."""

    code: str
    name: str
    max_points: Decimal
    sub_indices: tuple[SubIndex, ...] = ()
    pillar_code: str = ""


@dataclass(frozen=True)
class Pillar:
    """Trụ cột (optional level above indices): "chính quyền số", "kinh tế số", "xã hội số"."""

    code: str
    name: str
    max_points: Decimal
    index_codes: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    """A label for a percent of the maximum ("trên trung bình" from 50 %)."""

    label: str
    min_percent: Decimal


@dataclass(frozen=True)
class Cohort:
    """Khối: units are ranked only against units of the same cohort."""

    code: str
    name: str


@dataclass(frozen=True)
class RankingPolicy:
    """How units are ordered. Ties share a rank and the next rank is skipped (1, 2, 2, 4).

    `compare` is the figure compared (`value` or `points`); `tie_decimals` rounds it before the
    comparison, as published tables do (None: compare exact figures).
    """

    compare: str = "value"
    tie_decimals: int | None = None
    bands: tuple[Band, ...] = ()
    cohorts: tuple[Cohort, ...] = ()

    def band_for(self, percent: Decimal) -> str:
        for band in self.bands:  # ordered by descending threshold
            if percent >= band.min_percent:
                return band.label
        return ""

    def cohort_name(self, code: str) -> str:
        return next((c.name for c in self.cohorts if c.code == code), code)


@dataclass(frozen=True)
class Rounding:
    """Display precision; `sub_index` optionally rounds each sub-index's points when scored."""

    points: int = 2
    value: int = 4
    percent: int = 1
    sub_index: int | None = None


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    total_points: Decimal
    indices: tuple[Index, ...]
    issuer: str = ""
    decision_number: str = ""
    decision_date: date | None = None
    level: str = ""
    years: tuple[int, ...] = ()
    pillars: tuple[Pillar, ...] = ()
    value_formula: str = "total_ratio"
    rounding: Rounding = Rounding()
    ranking: RankingPolicy = RankingPolicy()
    not_applicable: str = "shrink_max"
    illustrative: bool = False
    source: str = ""
    _sub_by_code: dict[str, SubIndex] = field(default_factory=dict, compare=False, repr=False)
    _index_by_code: dict[str, Index] = field(default_factory=dict, compare=False, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # derived data, e.g. plans

    def __post_init__(self) -> None:
        self._index_by_code.update({i.code: i for i in self.indices})
        self._sub_by_code.update({s.code: s for i in self.indices for s in i.sub_indices})

    @property
    def sub_indices(self) -> tuple[SubIndex, ...]:
        """Every sub-index in framework order."""
        return tuple(self._sub_by_code.values())

    def sub_index(self, code: str) -> SubIndex:
        return self._sub_by_code[code]

    def has_sub_index(self, code: str) -> bool:
        return code in self._sub_by_code

    def index(self, code: str) -> Index:
        return self._index_by_code[code]

    def has_index(self, code: str) -> bool:
        return code in self._index_by_code
