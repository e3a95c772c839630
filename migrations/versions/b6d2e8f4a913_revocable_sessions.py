"""sessions can be ended: a session generation per user, remember tokens stored hashed

Revision ID: b6d2e8f4a913
Revises: a9e4c1f7b215
Create Date: 2026-12-02 16:40:00

Signing out or resetting the password raises users.session_generation, which every
signed-in session carries, and deletes the person's remember tokens. Flask-Login's old
remember cookie (<id>|HMAC) is no longer accepted, so existing sessions end once.
"""
from alembic import op
import sqlalchemy as sa
import participation.db


revision = 'b6d2e8f4a913'
down_revision = 'a9e4c1f7b215'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )
    op.create_table('remember_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', participation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', participation.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', participation.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_remember_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remember_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_remember_tokens_token_hash'))
    )
    with op.batch_alter_table('remember_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remember_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('remember_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remember_tokens_user_id'))
    op.drop_table('remember_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
