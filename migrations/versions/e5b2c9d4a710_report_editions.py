"""published feedback reports become fixed, numbered versions

Revision ID: e5b2c9d4a710
Revises: d8a4f1c2b903
Create Date: 2026-12-02 16:40:00

A published report was computed live, so opinions filed after publication (hearing
statements) silently appeared in it. Each published report is now a version: its
entries (which opinion, with which response) and its figures are frozen. Existing
published reports become version 1, listing the accepted opinions submitted up to the
report's publication with the response that answers them now; anything later waits
for an addendum. The per-consultation cache counter (feedback_versions) is dropped: an
edition never changes, so nothing needs invalidating.
"""
import json
from datetime import date

from alembic import op
import sqlalchemy as sa
import participation.db


revision = 'e5b2c9d4a710'
down_revision = 'd8a4f1c2b903'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='edition_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('drafted_at', participation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', participation.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_report_editions_consultation_id_consultations')),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['users.id'], name=op.f('fk_report_editions_drafted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_report_editions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_editions')),
    sa.UniqueConstraint('consultation_id', 'number', name=op.f('uq_report_editions_consultation_id'))
    )
    with op.batch_alter_table('report_editions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_editions_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('report_entries',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('change', sa.Enum('added', 'changed', name='entry_change', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_report_entries_comment_id_comments')),
    sa.ForeignKeyConstraint(['edition_id'], ['report_editions.id'], name=op.f('fk_report_entries_edition_id_report_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_report_entries_response_id_responses')),
    sa.PrimaryKeyConstraint('edition_id', 'position', name=op.f('pk_report_entries'))
    )
    with op.batch_alter_table('report_entries', schema=None) as batch_op:
        batch_op.create_index('ix_report_entries_edition_comment', ['edition_id', 'comment_id'], unique=False)

    _first_versions(op.get_bind())
    op.drop_table('feedback_versions')


# ---- existing published reports become version 1 ------------------------------------

EDITIONS = sa.table(
    'report_editions',
    sa.column('id', sa.Integer), sa.column('consultation_id', sa.Integer),
    sa.column('number', sa.Integer), sa.column('status', sa.String),
    sa.column('summary', sa.Text), sa.column('note', sa.Text), sa.column('figures', sa.JSON),
    sa.column('drafted_at', participation.db.UTCDateTime(timezone=True)),
    sa.column('published_at', participation.db.UTCDateTime(timezone=True)),
)

# Accepted opinions with the response that answers them (own published, else the
# group's published one), submitted up to the report's publication.
ENTRIES = """
INSERT INTO report_entries (edition_id, position, comment_id, response_id, text)
SELECT :edition, ROW_NUMBER() OVER (ORDER BY c.submitted_at, c.id), c.id,
       COALESCE(own.id, grp.id),
       CASE WHEN c.publish_mode = 'private' THEN '' ELSE c.published_body END
FROM comments c
LEFT JOIN responses own ON own.comment_id = c.id AND own.status = 'published'
LEFT JOIN responses grp ON grp.group_id = c.group_id AND grp.status = 'published'
WHERE c.consultation_id = :consultation AND c.status = 'accepted'
  AND c.submitted_at <= :published_at
"""


def _first_versions(conn):
    published_at_type = participation.db.UTCDateTime(timezone=True)
    consultations = sa.table(
        'consultations', sa.column('id', sa.Integer), sa.column('report_summary', sa.Text),
        sa.column('report_published_at', published_at_type),
    )
    reported = conn.execute(
        sa.select(consultations.c.id, consultations.c.report_summary,
                  consultations.c.report_published_at)
        .where(consultations.c.report_published_at.is_not(None))
        .order_by(consultations.c.id)
    ).all()
    day = ("date(timezone('Asia/Shanghai', c.submitted_at))"
           if conn.dialect.name == 'postgresql' else "date(c.submitted_at, '+8 hours')")
    for cid, summary, when in reported:
        edition = conn.execute(
            EDITIONS.insert().returning(EDITIONS.c.id),
            {"consultation_id": cid, "number": 1, "status": "published",
             "summary": summary or "", "note": "", "figures": {},
             "drafted_at": when, "published_at": when},
        ).scalar()
        conn.execute(
            sa.text(ENTRIES).bindparams(sa.bindparam('published_at', type_=published_at_type)),
            {"edition": edition, "consultation": cid, "published_at": when},
        )
        conn.execute(
            EDITIONS.update().where(EDITIONS.c.id == edition),
            {"figures": _figures(conn, edition, cid, day)},
        )


def _figures(conn, edition, consultation_id, day):
    """The same figures services/editions.compute_figures stores, in plain SQL."""
    entries = "FROM report_entries e JOIN comments c ON c.id = e.comment_id WHERE e.edition_id = :e"
    p = {"e": edition}
    by_channel, days = {}, {}
    for channel, d, n in conn.execute(
        sa.text(f"SELECT c.channel, {day}, COUNT(*) {entries} GROUP BY c.channel, {day}"), p
    ):
        by_channel[channel] = by_channel.get(channel, 0) + n
        key = d.isoformat() if isinstance(d, date) else str(d)
        days[key] = days.get(key, 0) + n
    by_outcome, unanswered = {}, 0
    for outcome, n in conn.execute(sa.text(
        "SELECT r.outcome, COUNT(*) FROM report_entries e LEFT JOIN responses r "
        "ON r.id = e.response_id WHERE e.edition_id = :e GROUP BY r.outcome"
    ), p):
        if outcome is None:
            unanswered += n
        else:
            by_outcome[outcome] = n
    total, authors, anonymous, private = conn.execute(sa.text(
        "SELECT COUNT(*), COUNT(DISTINCT c.author_id), "
        "SUM(CASE WHEN c.author_id IS NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN c.publish_mode = 'private' THEN 1 ELSE 0 END) {entries}"
    ), p).one()
    groups = [
        {"id": gid, "title": title, "summary": gsummary, "comments": n, "response_id": rid}
        for gid, rid, title, gsummary, n in conn.execute(sa.text(
            "SELECT r.group_id, r.id, g.title, g.summary, COUNT(*) FROM report_entries e "
            "JOIN responses r ON r.id = e.response_id JOIN comment_groups g ON g.id = r.group_id "
            "WHERE e.edition_id = :e GROUP BY r.group_id, r.id, g.title, g.summary"
        ), p)
    ]
    groups.sort(key=lambda g: (-g["comments"], g["id"]))
    rejected = conn.execute(sa.text(
        "SELECT COUNT(*) FROM comments WHERE consultation_id = :c AND status = 'rejected'"
    ), {"c": consultation_id}).scalar()
    return json.loads(json.dumps({
        "comments": int(total or 0),
        "participants": int(authors or 0) + int(anonymous or 0),
        "private": int(private or 0),
        "rejected": int(rejected or 0),
        "unanswered": unanswered,
        "by_channel": by_channel,
        "by_outcome": by_outcome,
        "per_day": sorted(days.items()),
        "groups": groups,
        "added": 0,
        "changed": 0,
        "removed": [],
    }))


def downgrade():
    op.create_table('feedback_versions',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_feedback_versions_consultation_id_consultations')),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_feedback_versions'))
    )
    with op.batch_alter_table('report_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_report_entries_edition_comment')
    op.drop_table('report_entries')
    with op.batch_alter_table('report_editions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_editions_consultation_id'))
    op.drop_table('report_editions')
