"""grouping jobs carry a heartbeat, so a job whose worker died is failed, not stuck

Revision ID: a9e4c1f7b215
Revises: f7c3a9e1d452
Create Date: 2026-12-02 16:20:00

A queued or running grouping job without a heartbeat for GROUPING_STALE_SECONDS is
marked failed by a periodic sweep; jobs already queued or running get none and are
failed at the first sweep, as they would otherwise stay "running" for ever.
"""
from alembic import op
import sqlalchemy as sa
import participation.db


revision = 'a9e4c1f7b215'
down_revision = 'f7c3a9e1d452'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('grouping_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', participation.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('grouping_jobs', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
