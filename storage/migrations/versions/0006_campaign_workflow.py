"""the campaign as provinces run it: period phases' dates and unit approval setting, explanations and
notes on answers, grouped decision notices, unit approval, appraisers' domains, objections

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:30:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supplement_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("feedback_deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("unit_approval", sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("explanation", sqlmodel.sql.sqltypes.AutoString(length=2000), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), server_default="", nullable=False)
        )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notified_at", storage.types.UTCDateTime(timezone=True), nullable=True))

    op.create_table(
        "unit_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unit_approval", schema=None) as batch_op:
        batch_op.create_index("ix_unit_approval_period_unit", ["period_id", "unit_id"], unique=False)

    op.create_table(
        "appraiser_scope",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("scope_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("cohort", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period_id", "person_id", "scope_code", "cohort"),
    )
    with op.batch_alter_table("appraiser_scope", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appraiser_scope_period_id"), ["period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appraiser_scope_person_id"), ["person_id"], unique=False)

    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sub_index_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("raised_by", sa.Integer(), nullable=True),
        sa.Column("raised_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("response", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("old_points", storage.types.ExactDecimal(length=48), nullable=True),
        sa.Column("new_points", storage.types.ExactDecimal(length=48), nullable=True),
        sa.Column("detail", storage.types.JSONDocument, nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answer.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["period_id"], ["period.id"]),
        sa.ForeignKeyConstraint(["raised_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index("ix_objection_period_state", ["period_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_objection_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objection_unit_id"))
        batch_op.drop_index("ix_objection_period_state")
    op.drop_table("objection")
    with op.batch_alter_table("appraiser_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraiser_scope_person_id"))
        batch_op.drop_index(batch_op.f("ix_appraiser_scope_period_id"))
    op.drop_table("appraiser_scope")
    with op.batch_alter_table("unit_approval", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_approval_period_unit")
    op.drop_table("unit_approval")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("notified_at")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("explanation")
    with op.batch_alter_table("period", schema=None) as batch_op:
        batch_op.drop_column("unit_approval")
        batch_op.drop_column("feedback_deadline")
        batch_op.drop_column("supplement_deadline")
