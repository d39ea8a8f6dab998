"""answers of one item in a period (min-max points against the cohort)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 15:45:00.000000
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_answer_period_item", "answer", ["period_id", "sub_index_code"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_answer_period_item", table_name="answer")
