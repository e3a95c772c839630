"""Two simultaneous submissions with the same idempotency key end as one row (PostgreSQL)."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from consultations.models import Comment, Consultation
from consultations.services import comments
from participation.db import db
from participation.models import User
from tests.helpers import run_together

BODY = "建议在学校周边施工时避开上下学时段。"


def test_concurrent_duplicates_store_one_comment(
    postgres_url, app, make_consultation, resident, monkeypatch
):
    consultation_id = make_consultation().id
    user_id = resident.id
    db.session.remove()
    # Both requests miss each other in the first lookup, as real racing requests can.
    real_find = comments._find_by_key
    seen = threading.local()

    def racing_find(user, key):
        if not getattr(seen, "missed", False):
            seen.missed = True
            return None
        return real_find(user, key)

    monkeypatch.setattr(comments, "_find_by_key", racing_find)

    def submit() -> tuple[int, bool]:
        user = db.session.get(User, user_id)
        consultation = db.session.get(Consultation, consultation_id)
        sub = comments.submit_comment(user, consultation, body=BODY, idempotency_key="same-key-123")
        db.session.commit()
        return sub.comment.id, sub.created

    results = run_together(app, [submit, submit])
    assert results[0][0] == results[1][0]
    assert sorted(created for _, created in results) == [False, True]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1


def test_concurrent_offline_entries_with_one_source_ref_store_one_comment(
    postgres_url, app, make_consultation, organizer, monkeypatch
):
    consultation_id = make_consultation().id
    organizer_id = organizer.id
    db.session.remove()
    real_find = comments._find_by_source
    seen = threading.local()

    def racing_find(consultation, ref):
        if not getattr(seen, "missed", False):
            seen.missed = True
            return None
        return real_find(consultation, ref)

    monkeypatch.setattr(comments, "_find_by_source", racing_find)

    def enter() -> int:
        actor = db.session.get(User, organizer_id)
        consultation = db.session.get(Consultation, consultation_id)
        comment = comments.enter_offline_comment(
            actor,
            consultation,
            channel=comments.Channel.hearing,
            body=BODY,
            source_ref="event:1/statement:1",
        )
        db.session.commit()
        return comment.id

    ids = run_together(app, [enter, enter])
    assert ids[0] == ids[1]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
