"""a withdrawn application no longer blocks applying again

Revision ID: d8a4f1c2b903
Revises: c3d1e5a7f902
Create Date: 2026-12-02 16:00:00

A person who withdrew from an event may apply again while sign-up is open (first come:
at the back of the queue). The withdrawn application stays for the record, so the unique
key on (event, user) becomes a partial unique index over applications not withdrawn.
"""
from alembic import op
import sqlalchemy as sa


revision = 'd8a4f1c2b903'
down_revision = 'c3d1e5a7f902'
branch_labels = None
depends_on = None

CURRENT = sa.text("status != 'withdrawn'")


def upgrade():
    with op.batch_alter_table('event_applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_event_applications_event_id'), type_='unique')
        batch_op.create_index(
            'uq_event_applications_current', ['event_id', 'user_id'], unique=True,
            postgresql_where=CURRENT, sqlite_where=CURRENT,
        )


def downgrade():
    # Keep only the latest application of each person and event, as the old key demands.
    op.get_bind().execute(sa.text(
        "DELETE FROM event_applications WHERE user_id IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM event_applications later WHERE later.event_id = event_applications.event_id "
        "AND later.user_id = event_applications.user_id AND later.id > event_applications.id)"
    ))
    with op.batch_alter_table('event_applications', schema=None) as batch_op:
        batch_op.drop_index('uq_event_applications_current')
        batch_op.create_unique_constraint(
            op.f('uq_event_applications_event_id'), ['event_id', 'user_id']
        )
