"""comments from an open day get their own channel

Revision ID: c3d1e5a7f902
Revises: b471746de4d3
Create Date: 2026-11-26 21:55:00

Statements recorded at a government open day were filed as field visits, and the
feedback report counted them so. The channel CHECK gains "open_day", and comments
filed from an open-day record (source_ref "event:<id>/...") move to it.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d1e5a7f902'
down_revision = 'b471746de4d3'
branch_labels = None
depends_on = None

CHANNELS = ('online', 'letter', 'email', 'phone', 'symposium', 'field_visit', 'hearing',
            'questionnaire', 'poll', 'meeting', 'live_qa')
CHECK = 'ck_comments_comment_channel'


def _in(values):
    return "channel IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace_check(values):
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_='check')
        batch_op.create_check_constraint(op.f(CHECK), _in(values))


def _open_day_comments():
    """Comments filed from the record of an event whose kind is open_day."""
    return sa.text(
        "SELECT c.id FROM comments c JOIN events e "
        "ON c.source_ref LIKE 'event:' || e.id || '/%' "
        "WHERE e.kind = 'open_day' AND c.channel = :channel"
    )


def upgrade():
    _replace_check(CHANNELS + ('open_day',))
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(_open_day_comments(), {"channel": "field_visit"})]
    if ids:
        conn.execute(
            sa.text("UPDATE comments SET channel = 'open_day' WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        )


def downgrade():
    op.get_bind().execute(sa.text("UPDATE comments SET channel = 'field_visit' WHERE channel = 'open_day'"))
    _replace_check(CHANNELS)
