"""Organizers are told when opinions wait for review.

A held comment carries ``review_notice_pending``, set in the statement that stores it, so
the promise of a notice commits with the comment. A sweep (nudged after the commit, and
run every few minutes) mails the lead agency's organizers at most once per consultation
per HELD_NOTICE_MINUTES, with how many opinions wait: a flood of held comments becomes
one mail, and comments held within the window are in the next mail after it.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_ngettext

from participation import audit
from participation.db import after_commit, db, utcnow
from participation.links import external_url, request_context_if_needed
from participation.mail import send_template
from participation.models import Membership, User
from participation.sweeps import request_sweep

from ..models import Comment, Consultation
from ..tasks import HELD_TASK
from .moderation import held_count


def window() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("HELD_NOTICE_MINUTES", 60)))


def queue_after_commit() -> None:
    """Call once a held comment is in the session: the sweep runs after the commit."""
    after_commit(lambda: request_sweep(HELD_TASK))


def organizers_of(consultation: Consultation) -> list[User]:
    """The members of the lead agency, who moderate and answer its comments."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == consultation.decision.organization_id)
            .order_by(User.id)
        )
    )


def mail_pending() -> int:
    """One mail per consultation whose held comments are not yet notified, unless its
    organizers were mailed within the window. Returns the number of consultations mailed.

    Idempotent: the window is claimed by one conditional UPDATE of the consultation, so
    overlapping sweeps mail once; the flags clear in the same transaction as the mail.
    """
    ids = db.session.scalars(
        sa.select(Comment.consultation_id).where(Comment.review_notice_pending).distinct()
    ).all()
    db.session.rollback()
    mailed = 0
    for consultation_id in ids:
        mailed += _notify(consultation_id)
    return mailed


def _clear_flags(consultation_id: int) -> None:
    db.session.execute(
        sa.update(Comment)
        .where(Comment.consultation_id == consultation_id, Comment.review_notice_pending)
        .values(review_notice_pending=False),
        execution_options={"synchronize_session": False},
    )


def _notify(consultation_id: int) -> int:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return 0
    held = held_count(consultation)
    if held == 0:  # reviewed before the sweep came: nothing to tell, the window stays free
        _clear_flags(consultation_id)
        db.session.commit()
        return 0
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Consultation)
        .where(
            Consultation.id == consultation_id,
            sa.or_(
                Consultation.review_notice_at.is_(None),
                Consultation.review_notice_at <= now - window(),
            ),
        )
        .values(review_notice_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not claimed:  # mailed within the window: a later sweep sends the next one
        db.session.rollback()
        return 0
    _clear_flags(consultation_id)
    with request_context_if_needed():
        link = external_url("consultations.moderation_queue", consultation_id=consultation_id)
        subject = lazy_ngettext(
            "%(num)d opinion waits for review: %(title)s",
            "%(num)d opinions wait for review: %(title)s",
            held,
            title=consultation.title,
        )
        for user in organizers_of(consultation):
            send_template(
                user,
                subject,
                "mail/comments_held.txt",
                consultation=consultation,
                held=held,
                link=link,
                minutes=int(window().total_seconds() // 60),
            )
    audit.record(
        None, "consultation.held_notice", "consultation", consultation_id, data={"held": held}
    )
    db.session.commit()
    return 1
