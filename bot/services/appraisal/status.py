"""An item's appraisal status as the unit sees it on the item's card, for good: chờ thẩm định, đạt,
điều chỉnh (from what to what, and why), đề nghị bổ sung (with the comment)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.states import AnswerStatus, ReviewDecision
from storage.lean import Lean, statement

_NEWEST_REVIEW = statement(
    "SELECT decision, points, comment FROM review WHERE answer_id = :answer_id ORDER BY id DESC LIMIT 1"
)


@dataclass(frozen=True)
class AppraisalStatus:
    state: str  # waiting, accepted, corrected, needs_supplement
    self_points: Decimal | None = None
    points: Decimal | None = None  # verified points (accepted, corrected)
    comment: str = ""  # the reason of a correction, the comment of a send-back


async def appraisal_status(
    sql: Lean, answer_id: int | None, status: str, self_points: Decimal | None, verified_points: Decimal | None
) -> AppraisalStatus | None:
    """None for an item not submitted (draft): it has no appraisal status yet."""
    if answer_id is None or status == AnswerStatus.DRAFT:
        return None
    if status == AnswerStatus.SUBMITTED:
        return AppraisalStatus("waiting", self_points)
    row = await sql.row(_NEWEST_REVIEW, {"answer_id": answer_id})
    decision, comment = (row[0], row[2] or "") if row else ("", "")
    if status == AnswerStatus.NEEDS_SUPPLEMENT:
        return AppraisalStatus("needs_supplement", self_points, None, comment)
    if decision == ReviewDecision.CORRECT:
        return AppraisalStatus("corrected", self_points, verified_points, comment)
    return AppraisalStatus("accepted", self_points, verified_points)
