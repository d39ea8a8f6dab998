"""Plain result objects of the self-assessment use cases (rendered by bot.render.assessment.cards)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.services.appraisal.status import AppraisalStatus
from scoring import Index, SubIndex
from scoring.evidence import evidence_missing

DONE, PARTIAL, MISSING = "done", "partial", "missing"


@dataclass(frozen=True)
class Notice:
    """Something to tell the person above the screen: kind + details (rendered in one place)."""

    kind: str  # recorded, unchanged, evidence_added, evidence_duplicate, evidence_removed, docref_saved, …
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodRef:
    unit_id: int
    unit_name: str
    period_id: int
    title: str
    deadline: date
    # None, or why it is read-only (bot.services.assessment.editability): deadline, appraisal,
    # supplement_deadline, provisional, published, draft. A period's ref tells of its ordinary
    # items; an item's screen carries the item's own (a sent-back item may stay open).
    read_only: str | None
    supplement_deadline: date | None = None  # sent-back items can be supplemented until this day
    supplement: bool = False  # this item is open only as a supplement (after the deadline)
    # the period's phase (scoring.states.PeriodState) with its dates and the campaign's local date:
    # after the self-assessment the card's header says the phase in one sentence
    state: str = ""
    feedback_deadline: date | None = None
    today: date | None = None
    year: int = 0  # the period's year: its short name on the cards ("DTI 2026"); 0: the title is shown


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    kind: str  # photo, document, link, document_ref
    label: str
    size: int | None


@dataclass(frozen=True)
class ItemView:
    ref: PeriodRef
    sub: SubIndex
    index: Index
    position: int  # 1-based among the items this unit answers
    total: int
    answered: int
    raw: dict[str, Any] | None
    points: Decimal | None  # verified if present, else self points (min-max: against the cohort so far)
    provisional: bool
    status: str
    evidence: tuple[EvidenceItem, ...]
    step: str  # answer, b, evidence, doc_number, doc_date, doc_summary
    pending: dict[str, Any]
    review_comment: str = ""
    notice: Notice | None = None
    unreadable: bool = False  # a stored answer that no longer fits the item: named, to be answered again
    card: int | None = None  # the message id of the person's live card, if known
    intro: bool = False  # opened from the menu: the card starts with the campaign's header
    old_card: str = ""  # a button of an old card: "acted" (on that card's item) or "refreshed"
    explanation: str = ""  # the unit's explanation ("giải trình"), shown to appraisers and the leader
    appraisal: AppraisalStatus | None = None  # chờ thẩm định, đạt, điều chỉnh (lý do), đề nghị bổ sung

    @property
    def answered_now(self) -> bool:
        return self.raw is not None

    @property
    def evidence_missing(self) -> bool:
        """Evidence the answer needs is missing (scoring.evidence: only where it earns points)."""
        return evidence_missing(self.sub, self.raw, self.points, len(self.evidence), self.explanation)


@dataclass(frozen=True)
class ListRow:
    code: str
    name: str
    mark: str  # done, partial, missing


@dataclass(frozen=True)
class ItemList:
    ref: PeriodRef
    groups: tuple[tuple[str, tuple[ListRow, ...]], ...]  # (index name, rows)
    current: str | None
    page: int
    pages: int


@dataclass(frozen=True)
class IndexLine:
    code: str
    name: str
    points: Decimal
    max_points: Decimal


@dataclass(frozen=True)
class ExternalLine:
    """An item whose figure another agency provides (the coordinator enters it): shown in the summary
    with who provided it, or as awaited."""

    code: str
    name: str
    points: Decimal | None  # None: not entered yet
    max_points: Decimal
    provider: str


@dataclass(frozen=True)
class UnitApprovalStatus:
    """Where the unit's approval stands (bot.services.assessment.approval), for the focal point's
    summary: waiting (sent to the leader), approved, returned (with the leader's comment) or
    reopened (by a coordinator, with the reason); `at`: when."""

    state: str
    at: datetime | None
    comment: str = ""


@dataclass(frozen=True)
class Summary:
    ref: PeriodRef
    lines: tuple[IndexLine, ...]
    points: Decimal
    max_points: Decimal
    answered: int
    total: int
    unanswered: tuple[tuple[str, str], ...]
    missing_evidence: tuple[tuple[str, str], ...]
    sent_back: tuple[tuple[str, str], ...]
    submitted: bool
    confirming: bool = False
    notice: Notice | None = None
    unreadable: tuple[tuple[str, str], ...] = ()  # stored answers that no longer fit: count as 0
    card: int | None = None  # the message id of the person's live card, if known
    old_card: str = ""  # shown instead of what an old card's button asked ("refreshed")
    external: tuple[ExternalLine, ...] = ()  # items whose figure another agency provides
    approval: UnitApprovalStatus | None = None  # None: not asked of this period, or nothing sent to the leader yet


@dataclass(frozen=True)
class Paused:
    ref: PeriodRef
    code: str | None
    answered: int
    total: int
