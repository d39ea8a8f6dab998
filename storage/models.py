"""The tables of a DTI campaign (SQLModel). Migrations in storage/migrations follow this file.

Times are aware UTC (`UTCDateTime`); points and values are exact (`ExactDecimal`); raw answers keep
what the person gave, normalised by the framework's method, so every score can be recomputed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from scoring.states import AnswerStatus, ObjectionState, OutboxState, PeriodState, ReviewDecision
from storage.types import ExactDecimal, JSONDocument, UTCDateTime, utcnow

ROLES = ("focal_point", "leader", "reviewer", "coordinator", "admin")
CAMPAIGN_WIDE_ROLES = ("coordinator", "admin", "reviewer")
PERIOD_STATES = tuple(PeriodState)
ANSWER_STATUSES = tuple(AnswerStatus)
EVIDENCE_KINDS = ("photo", "document", "link", "document_ref")
REVIEW_DECISIONS = tuple(ReviewDecision)
OUTBOX_STATES = tuple(OutboxState)


def _json(**kw: Any) -> Any:
    return Field(default_factory=dict, sa_type=JSONDocument, **kw)


def _now(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=255)
    cohort: str = Field(default="", max_length=64, index=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id")
    attributes: dict[str, Any] = _json()
    ranked: bool = True
    active: bool = True
    updated_at: datetime = _now()


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    full_name: str = Field(default="", max_length=255)
    username: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    reachable: bool = True
    # Leaders opt in to a Monday digest of progress and provisional rank.
    weekly_digest: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    created_at: datetime = _now()


class Membership(SQLModel, table=True):
    """A person's role, in a unit or (coordinators, admins, reviewers) campaign-wide (unit_id NULL)."""

    __table_args__ = (UniqueConstraint("person_id", "unit_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    role: str = Field(max_length=32)
    active: bool = True
    created_at: datetime = _now()


class Invite(SQLModel, table=True):
    """A one-time invitation. Only the SHA-256 of the code is kept: a leaked table opens no door."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=32)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    full_name: str = Field(default="", max_length=255)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, foreign_key="person.id")
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = _now()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccessChange(SQLModel, table=True):
    """Append-only audit of access taken back: a role removed, an unused invitation revoked; by whom
    (None: on the server's command line), when, from where."""

    __tablename__ = "access_change"
    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=32)  # role_removed, invite_revoked
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    invite_id: int | None = Field(default=None, foreign_key="invite.id")
    role: str = Field(max_length=32)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    changed_by: int | None = Field(default=None, foreign_key="person.id")
    via: str = Field(max_length=16)  # cli, chat
    changed_at: datetime = _now()


class FrameworkVersion(SQLModel, table=True):
    """A published framework definition, kept whole so an old period stays explainable."""

    __tablename__ = "framework"
    __table_args__ = (UniqueConstraint("framework_id", "content_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    framework_id: str = Field(max_length=128, index=True)
    content_hash: str = Field(max_length=64)
    title: str = Field(max_length=512)
    total_points: Decimal = Field(sa_type=ExactDecimal)
    definition: str  # resolved YAML text
    published_at: datetime = _now()


class Period(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    framework_version_id: int = Field(foreign_key="framework.id")
    year: int
    title: str = Field(max_length=255)
    opens_at: datetime = _now()
    deadline: date
    state: str = Field(default=PeriodState.DRAFT.value, max_length=16)
    reminder_policy: dict[str, Any] = _json()
    previous_period_id: int | None = Field(default=None, foreign_key="period.id")
    created_at: datetime = _now()
    # Items sent back stay answerable after the deadline until this day (None: while the appraisal lasts).
    supplement_deadline: date | None = None
    # Units may object to provisional results until this day.
    feedback_deadline: date | None = None
    # Only a self-assessment the unit's leader approved reaches appraisal.
    unit_approval: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})


class PeriodChange(SQLModel, table=True):
    """Append-only audit of a period's course changed by hand: results published (before the period
    was locked, or taken back), a deadline moved, a second period opened for the same framework and
    year; with the reason given, by whom (None: on the server's command line) and from where."""

    __tablename__ = "period_change"
    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    action: str = Field(max_length=32)  # publish, unpublish, deadline, open_again
    from_state: str = Field(max_length=16)
    to_state: str = Field(max_length=16)
    old_deadline: date | None = None
    new_deadline: date | None = None
    reason: str = Field(default="", max_length=1000)
    changed_by: int | None = Field(default=None, foreign_key="person.id")
    via: str = Field(max_length=16)  # cli, chat
    changed_at: datetime = _now()


class Assignment(SQLModel, table=True):
    """Who answers which sub-indices of a unit; with no rows, every focal point answers all."""

    __table_args__ = (UniqueConstraint("period_id", "unit_id", "person_id", "sub_index_code"),)
    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id")
    unit_id: int = Field(foreign_key="unit.id")
    person_id: int = Field(foreign_key="person.id")
    sub_index_code: str = Field(max_length=32)


class Answer(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("period_id", "unit_id", "sub_index_code"),
        Index("ix_answer_period_status", "period_id", "status"),
        # One item's answers across the cohort (min-max points, shown on every such answer).
        Index("ix_answer_period_item", "period_id", "sub_index_code"),
    )
    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    sub_index_code: str = Field(max_length=32)
    raw: dict[str, Any] | None = Field(default=None, sa_type=JSONDocument, nullable=True)
    self_points: Decimal | None = Field(default=None, sa_type=ExactDecimal, nullable=True)
    verified_points: Decimal | None = Field(default=None, sa_type=ExactDecimal, nullable=True)
    status: str = Field(default=AnswerStatus.DRAFT.value, max_length=24)
    answered_by: int | None = Field(default=None, foreign_key="person.id")
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revision: int = 0
    # The unit's explanation ("giải trình"), e.g. "không phát sinh"; shown to appraisers.
    explanation: str = Field(default="", max_length=2000, sa_column_kwargs={"server_default": ""})
    # Where a value entered for the unit came from (external values: "Sở Nội vụ, QĐ 123/QĐ-UBND").
    note: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})


class AnswerHistory(SQLModel, table=True):
    """Append-only audit of every change to an answer: who, when, what it was, what it became."""

    __tablename__ = "answer_history"
    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", index=True)
    revision: int
    action: str = Field(max_length=32)  # answer, clear, submit, review, evidence_add, evidence_remove, …
    changed_by: int | None = Field(default=None, foreign_key="person.id")
    changed_at: datetime = _now()
    old: dict[str, Any] | None = Field(default=None, sa_type=JSONDocument, nullable=True)
    new: dict[str, Any] | None = Field(default=None, sa_type=JSONDocument, nullable=True)


class Evidence(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("answer_id", "telegram_file_unique_id"),)
    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", index=True)
    kind: str = Field(max_length=16)
    content_key: str | None = Field(default=None, max_length=64, index=True)  # sha256 of the file
    size: int | None = None
    media_type: str = Field(default="", max_length=128)
    file_name: str = Field(default="", max_length=255)  # for display only, never a path
    url: str = Field(default="", max_length=2048)
    doc_number: str = Field(default="", max_length=128)
    doc_date: date | None = None
    doc_summary: str = Field(default="", max_length=1024)
    telegram_file_id: str | None = Field(default=None, max_length=255)
    telegram_file_unique_id: str | None = Field(default=None, max_length=128)
    uploaded_by: int | None = Field(default=None, foreign_key="person.id")
    uploaded_at: datetime = _now()


class Review(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(foreign_key="answer.id", index=True)
    reviewer_id: int | None = Field(default=None, foreign_key="person.id")
    decision: str = Field(max_length=24)
    points: Decimal | None = Field(default=None, sa_type=ExactDecimal, nullable=True)
    comment: str = Field(default="", max_length=2000)
    created_at: datetime = _now()
    # When the unit was told (decisions reach a unit grouped, one message per appraisal round).
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UnitApproval(SQLModel, table=True):
    """Append-only: a unit's self-assessment submitted to its leader, approved, returned or reopened,
    by whom, when, with what comment. The newest row is the unit's state."""

    __tablename__ = "unit_approval"
    __table_args__ = (Index("ix_unit_approval_period_unit", "period_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id")
    unit_id: int = Field(foreign_key="unit.id")
    action: str = Field(max_length=16)  # ApprovalAction
    comment: str = Field(default="", max_length=2000)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    via: str = Field(default="chat", max_length=16)  # cli, chat
    created_at: datetime = _now()


class AppraiserScope(SQLModel, table=True):
    """An appraiser's domain in a period: an index or sub-index code, optionally one cohort ("" = all).
    An appraiser with no rows appraises nothing; the council chair (coordinator) sees everything."""

    __tablename__ = "appraiser_scope"
    __table_args__ = (UniqueConstraint("period_id", "person_id", "scope_code", "cohort"),)
    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    scope_code: str = Field(max_length=32)
    cohort: str = Field(default="", max_length=64)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = _now()


class Objection(SQLModel, table=True):
    """A unit's objection ("kiến nghị") to an item's provisional points, and the council's answer."""

    __table_args__ = (Index("ix_objection_period_state", "period_id", "state"),)
    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    sub_index_code: str = Field(max_length=32)
    answer_id: int | None = Field(default=None, foreign_key="answer.id")
    reason: str = Field(max_length=2000)
    raised_by: int | None = Field(default=None, foreign_key="person.id")
    raised_at: datetime = _now()
    state: str = Field(default=ObjectionState.OPEN.value, max_length=16)
    response: str = Field(default="", max_length=2000)
    decided_by: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    old_points: Decimal | None = Field(default=None, sa_type=ExactDecimal, nullable=True)
    new_points: Decimal | None = Field(default=None, sa_type=ExactDecimal, nullable=True)
    detail: dict[str, Any] = _json()  # e.g. {"evidence": [evidence ids sent with the objection]}


class PublishedResult(SQLModel, table=True):
    __tablename__ = "published_result"
    __table_args__ = (UniqueConstraint("period_id", "unit_id", "index_code"),)
    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id")
    unit_id: int = Field(foreign_key="unit.id")
    index_code: str = Field(max_length=32)
    value: Decimal = Field(sa_type=ExactDecimal)
    points: Decimal = Field(sa_type=ExactDecimal)
    source: str = Field(default="", max_length=255)
    imported_at: datetime = _now()


class Outbox(SQLModel, table=True):
    """A message the bot starts itself. The unique dedupe key makes planning idempotent."""

    __table_args__ = (Index("ix_outbox_due", "state", "not_before"),)
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=255, unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id")
    kind: str = Field(default="", max_length=32)
    batch: str = Field(default="", max_length=64, index=True)  # a broadcast, a reminder round
    payload: dict[str, Any] = _json()
    state: str = Field(default=OutboxState.PENDING.value, max_length=16)
    attempts: int = 0
    not_before: datetime = _now()
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=1000)
    created_at: datetime = _now()


class Conversation(SQLModel, table=True):
    """Where a person is in the chat; the database, not memory, so a restart changes nothing."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    cursor: dict[str, Any] = _json()
    updated_at: datetime = _now()


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled: a replayed update is processed once. Pruned by age."""

    __tablename__ = "processed_update"
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = _now(index=True)


class Broadcast(SQLModel, table=True):
    """A coordinator's message to an audience; its outbox rows share `batch` = f"bc:{id}"."""

    id: int | None = Field(default=None, primary_key=True)
    created_by: int = Field(foreign_key="person.id")
    period_id: int | None = Field(default=None, foreign_key="period.id")
    text: str = Field(max_length=4000)
    audience: str = Field(max_length=64)  # focal_points, behind, leaders, cohort:<code>
    recipients: int = 0
    send_at: datetime = _now()
    report_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    report_message_id: int | None = None
    finished: bool = False
    created_at: datetime = _now()


class OutboxWindow(SQLModel, table=True):
    """One row: how many messages all sender processes together took in the current second, so the
    global rate limit holds with several senders (claimed under a row lock)."""

    __tablename__ = "outbox_window"
    id: int = Field(default=1, primary_key=True)
    window_start: datetime = _now()
    taken: int = 0
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # after a 429, for everyone
