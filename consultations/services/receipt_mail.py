"""Receipt mails: queued with the comment, mailed in batches by a sweep task.

The comment row carries ``receipt_pending``, set in the INSERT that stores it, so the
promise of a receipt mail commits or rolls back with the comment itself. Rendering the
mail and publishing to Celery happen in the worker, a few hundred receipts at a time,
instead of inside the request that took the comment.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from participation.db import after_commit, db
from participation.links import external_url, request_context_if_needed
from participation.mail import send_template
from participation.sweeps import request_sweep

from ..labels import CHANNEL_LABELS
from ..models import Comment
from ..tasks import RECEIPTS_TASK

BATCH = 200


def receipt_url(receipt_no: str) -> str:
    """Absolute link to the public receipt page, also from a task or the CLI."""
    return external_url("consultations.receipt", receipt_no=receipt_no)


def lookup_url() -> str:
    """The receipt lookup page, linked from every mail that carries a receipt number."""
    return external_url("consultations.receipt_lookup")


def queue_after_commit() -> None:
    """Call once a comment with receipt_pending is in the session: mail it after commit."""
    after_commit(lambda: request_sweep(RECEIPTS_TASK))


def mail_pending(batch: int = BATCH) -> int:
    """Mail every pending receipt exactly once, even with several sweeps running.

    Each batch is claimed by one UPDATE … RETURNING (rows locked by another sweep are
    skipped on PostgreSQL) and mailed in the same transaction: if rendering fails the
    claim rolls back and a later sweep tries again. Returns how many pending receipts
    were handled (an opinion entered for someone without an account has none to send).
    """
    mailed = 0
    while True:
        pending = (
            sa.select(Comment.id).where(Comment.receipt_pending).order_by(Comment.id).limit(batch)
        )
        if db.session.get_bind().dialect.name == "postgresql":
            pending = pending.with_for_update(skip_locked=True)
        claimed = db.session.scalars(
            sa.update(Comment)
            .where(Comment.id.in_(pending.scalar_subquery()), Comment.receipt_pending)
            .values(receipt_pending=False)
            .returning(Comment.id),
            execution_options={"synchronize_session": False},
        ).all()
        if not claimed:
            db.session.rollback()
            return mailed
        comments = db.session.scalars(
            sa.select(Comment)
            .where(Comment.id.in_(claimed))
            .options(
                joinedload(Comment.author),
                joinedload(Comment.consultation),
                joinedload(Comment.article),
            )
            .order_by(Comment.id)
        ).all()
        with request_context_if_needed():
            for comment in comments:
                _mail(comment)
        db.session.commit()
        mailed += len(comments)
        if len(claimed) < batch:
            return mailed


def _mail(comment: Comment) -> None:
    if comment.author is None:
        return
    send_template(
        comment.author,
        _l("Your opinion was received: receipt %(no)s", no=comment.receipt_no),
        "mail/comment_receipt.txt",
        comment=comment,
        receipt_url=receipt_url(comment.receipt_no),
        channel_labels=CHANNEL_LABELS,
    )
