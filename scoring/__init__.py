"""Pure, exact DTI scoring: frameworks, methods, unit and cohort results, ranking, analysis.

Standard library only (PyYAML in `scoring.loader`), `Decimal` throughout, no I/O outside the loader.
"""

from scoring.analysis import Change, Projection, WhatIf, compare_periods, project, weakest_sub_indices, what_if
from scoring.cohort import CohortResult, CohortStats, RankedUnit, rank_key, score_all, score_cohort
from scoring.errors import FrameworkError, InvalidAnswer, ScoringError
from scoring.model import Framework, Index, Pillar, SubIndex
from scoring.numbers import parse_decimal, plain, quantize
from scoring.unit import AnswerInput, SubResult, UnitInput, UnitResult, parse_answer, score_unit

__all__ = [
    "AnswerInput",
    "Change",
    "CohortResult",
    "CohortStats",
    "Framework",
    "FrameworkError",
    "Index",
    "InvalidAnswer",
    "Pillar",
    "Projection",
    "RankedUnit",
    "ScoringError",
    "SubIndex",
    "SubResult",
    "UnitInput",
    "UnitResult",
    "WhatIf",
    "available_frameworks",
    "compare_periods",
    "find_framework",
    "load_framework",
    "load_framework_text",
    "parse_answer",
    "parse_decimal",
    "plain",
    "project",
    "quantize",
    "rank_key",
    "score_all",
    "score_cohort",
    "score_unit",
    "weakest_sub_indices",
    "what_if",
]


def __getattr__(name: str):  # the loader needs PyYAML: import it only when asked for
    if name in ("load_framework", "load_framework_text", "find_framework", "available_frameworks"):
        from scoring import loader

        return getattr(loader, name)
    raise AttributeError(name)
