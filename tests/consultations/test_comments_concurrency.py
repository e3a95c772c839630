"""Two simultaneous submissions with the same idempotency key end as one row (PostgreSQL)."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from consultations.models import Comment, Consultation
from consultations.services import comments
from participation.db import db
from participation.models import User

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
    barrier = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            with app.app_context(), app.test_request_context():
                user = db.session.get(User, user_id)
                consultation = db.session.get(Consultation, consultation_id)
                barrier.wait(timeout=10)
                sub = comments.submit_comment(
                    user, consultation, body=BODY, idempotency_key="same-key-123"
                )
                db.session.commit()
                results.append((sub.comment.id, sub.created))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    assert len(results) == 2
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
    barrier = threading.Barrier(2)
    ids: list[int] = []
    failures: list[BaseException] = []

    def enter() -> None:
        try:
            with app.app_context(), app.test_request_context():
                actor = db.session.get(User, organizer_id)
                consultation = db.session.get(Consultation, consultation_id)
                barrier.wait(timeout=10)
                comment = comments.enter_offline_comment(
                    actor,
                    consultation,
                    channel=comments.Channel.hearing,
                    body=BODY,
                    source_ref="event:1/statement:1",
                )
                db.session.commit()
                ids.append(comment.id)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=enter) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == [] and len(ids) == 2 and ids[0] == ids[1]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
