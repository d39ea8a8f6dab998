"""roles can be taken back: the access_change audit table, invite.revoked_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('invite_id', sa.Integer(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('changed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['person.id'], ),
    sa.ForeignKeyConstraint(['invite_id'], ['invite.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_change_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')

    with op.batch_alter_table('access_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_change_person_id'))

    op.drop_table('access_change')
