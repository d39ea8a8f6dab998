"""Does an answer need evidence ("tài liệu kiểm chứng")? One rule, used by every screen that says
"evidence missing": the focal point's card, list and summary, the leader's screens, the progress
table, the export and the report.

Evidence is demanded only where the answer earns points [V PAR practice: "evidence is mandatory
where points are claimed"]: "Không", an option worth nothing or zero points need none. A framework
may also free one option or criterion from it (`evidence: false`), and may let the unit's
explanation ("giải trình") stand in for it (`evidence.explanation_allowed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from scoring.methods import CriteriaSum, TieredOptions, YesNo
from scoring.model import SubIndex


def evidence_needed(sub: SubIndex, answer: Mapping[str, Any] | None, points: Decimal | None) -> bool:
    """Whether this answer of the item must be backed by evidence.

    `answer`: the stored answer (None: not answered); `points`: what it earns (verified points where
    reviewed, else self points; None where not known yet, e.g. a min-max item before its cohort
    answered: evidence is then asked for)."""
    if not sub.evidence.required or not isinstance(answer, Mapping):
        return False
    if points is not None and points <= 0:
        return False
    method = sub.method
    if isinstance(method, YesNo):
        return answer.get("yes") is True
    if isinstance(method, TieredOptions):
        chosen = next((o for o in method.options if o.code == answer.get("option")), None)
        return chosen is None or chosen.evidence
    if isinstance(method, CriteriaSum):
        ticked = answer.get("criteria")
        if not isinstance(ticked, list | tuple):
            return True
        return any(c.evidence for c in sub.criteria if c.code in ticked)
    return True


def evidence_missing(
    sub: SubIndex,
    answer: Mapping[str, Any] | None,
    points: Decimal | None,
    pieces: int,
    explanation: str = "",
) -> bool:
    """Whether the item lacks the evidence its answer needs: none sent and, where the framework
    allows it, no explanation given instead."""
    if pieces > 0 or not evidence_needed(sub, answer, points):
        return False
    return not (sub.evidence.explanation_allowed and explanation.strip())
