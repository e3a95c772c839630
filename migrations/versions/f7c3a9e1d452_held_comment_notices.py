"""organizers are told when comments wait for review

Revision ID: f7c3a9e1d452
Revises: e5b2c9d4a710
Create Date: 2026-12-02 16:30:00

A comment held by screening now carries review_notice_pending until a mail has told the
lead agency's organizers; consultations.review_notice_at keeps that mail to one per
consultation per window. Comments already held get no mail for the past.
"""
from alembic import op
import sqlalchemy as sa
import participation.db


revision = 'f7c3a9e1d452'
down_revision = 'e5b2c9d4a710'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_notice_pending', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_comments_review_notice_pending', ['consultation_id'], unique=False, sqlite_where=sa.text('review_notice_pending'), postgresql_where=sa.text('review_notice_pending'))
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_notice_at', participation.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('review_notice_at')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_review_notice_pending', sqlite_where=sa.text('review_notice_pending'), postgresql_where=sa.text('review_notice_pending'))
        batch_op.drop_column('review_notice_pending')
