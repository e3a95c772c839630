"""Celery tasks of the live Q&A. They take ids, are idempotent and speak JSON."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from celery import shared_task
from flask_babel import lazy_gettext as _l

from participation.db import db, utcnow
from participation.errors import ServiceError
from participation.mail import send_template
from participation.models import User
from participation.permissions import is_organizer_of

from .models import LiveSession, Question, QuestionStatus
from .services.changes import Changes

log = logging.getLogger(__name__)


@shared_task(name="live.announce_written_answer")
def announce_written_answer(question_id: int) -> str:
    """Push a published written answer to connected viewers and mail the asker.

    Through the Redis message queue this reaches viewers on every web process.
    """
    q = db.session.scalar(sa.select(Question).where(Question.id == question_id).with_for_update())
    if q is None or q.answered_at is None or q.written_notified_at is not None:
        return "skipped"
    session = db.session.get(LiveSession, q.session_id)
    q.written_notified_at = utcnow()
    Changes(session).question(q, was_public=q.is_public).notify_author(q).publish()  # type: ignore[arg-type]
    if q.author is not None and q.is_public:
        send_template(
            q.author,
            _l("Your question has been answered in writing"),
            "live/mail/written_answer.txt",
            question=q,
            session=session,
        )
    db.session.commit()  # runs the emit registered by Changes.publish
    return "sent"


def _filing_actor(session: LiveSession, organization_id: int) -> User | None:
    """Someone entitled to enter offline comments for the decision's agency."""
    from events.models import Event

    event = db.session.get(Event, session.event_id)
    for user_id in (session.created_by_id, event.created_by_id if event else None):
        user = db.session.get(User, user_id) if user_id else None
        if user is not None and is_organizer_of(user, organization_id):
            return user
    return db.session.scalar(sa.select(User).where(User.is_admin.is_(True)).limit(1))


@shared_task(name="live.file_questions_as_comments")
def file_questions_as_comments(session_id: int) -> int:
    """File the published questions as live_qa comments on the decision's consultation,
    so the feedback report answers them. Idempotent through source_ref."""
    from consultations.models import Consultation
    from consultations.models.comment import Channel, PublishMode
    from consultations.services.comments import enter_offline_comment
    from events.models import Event

    session = db.session.get(LiveSession, session_id)
    if session is None or session.comments_filed_at is not None:
        return 0
    event = db.session.get(Event, session.event_id)
    if event is None or event.decision_id is None:
        return 0
    consultation = db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.decision_id == event.decision_id)
        .order_by(Consultation.opens_at.desc())
        .limit(1)
    )
    if consultation is None:
        return 0
    actor = _filing_actor(session, consultation.decision.organization_id)
    questions = db.session.scalars(
        sa.select(Question)
        .where(Question.session_id == session.id, Question.status == QuestionStatus.approved)
        .order_by(Question.id)
    )
    filed = 0
    try:
        for q in questions:
            enter_offline_comment(
                actor,  # type: ignore[arg-type]
                consultation,
                channel=Channel.live_qa,
                body=q.body,
                author_label=q.author_label,
                author=q.author,
                publish_mode=PublishMode.named if q.author_label else PublishMode.anonymous,
                received_on=q.created_at,
                source_ref=f"live:{session.id}/q:{q.id}",
            )
            filed += 1
    except ServiceError:
        db.session.rollback()
        log.exception("filing live questions of session %s as comments failed", session_id)
        return 0
    session.comments_filed_at = utcnow()
    db.session.commit()
    return filed
