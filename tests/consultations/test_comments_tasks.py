"""Comment services called outside a web request (Celery tasks, the CLI)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context

from consultations.models import Channel
from consultations.services import comments
from participation.db import db


def test_callable_from_a_background_task_without_a_request(
    app, make_consultation, organizer, resident
):
    """The live Q&A files questions from a Celery task: no request context there."""
    consultation_id, organizer_id, resident_id = make_consultation().id, organizer.id, resident.id
    assert not has_request_context()
    with app.app_context():  # a fresh context, like a worker's
        from consultations.models import Consultation
        from participation.models import OutboxMail, User

        comment = comments.enter_offline_comment(
            db.session.get(User, organizer_id),
            db.session.get(Consultation, consultation_id),
            channel=Channel.live_qa,
            body="网友提问：渣土车夜间运输噪音谁来管？",
            author=db.session.get(User, resident_id),
            source_ref="live:1/q:1",
        )
        db.session.commit()
        mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.user_id == resident_id))
        assert comment.receipt_no in mail.body and "/receipts/" in mail.body
