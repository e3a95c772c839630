"""Receipt mails leave the request: the comment row carries the promise, a sweep keeps it."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from consultations import tasks as consultation_tasks
from consultations.models import Comment, CommentStatus
from consultations.services import receipt_mail
from participation import accounts, sweeps
from participation.db import db
from participation.extensions import celery
from participation.models import OutboxMail
from tests.helpers import run_together

BODY = "建议对夜间渣土车运输实行限时限速管理。"


@pytest.fixture
def production_celery(monkeypatch):
    """Celery as with Redis: tasks are published, not run in the request."""
    published: list[str] = []
    monkeypatch.setitem(celery.conf, "task_always_eager", False)
    # A window long enough for the three requests below on a slow machine.
    monkeypatch.setattr(sweeps, "_coalescer", sweeps.Coalescer(window=1.0))
    monkeypatch.setattr(sweeps, "_publish", published.append)
    monkeypatch.setattr("participation.tasks.deliver_mail.delay", lambda mail_id: None)
    return published


def _post(client, consultation, token, n):
    return client.post(
        f"/api/v1/consultations/{consultation.id}/comments?lang=en",
        json={"body": f"{BODY}（{n}）"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"receipt-mail-{n:04d}"},
    )


def test_requests_only_mark_receipts_and_one_sweep_mails_them_once(
    make_consultation, client, resident, production_celery
):
    consultation = make_consultation()
    token = accounts.issue_api_token(resident)
    db.session.commit()
    receipts_no = []
    for n in range(3):
        resp = _post(client, consultation, token, n)
        assert resp.status_code == 201
        receipts_no.append(resp.get_json()["receipt_no"])
    # Stored with the promise, nothing rendered or sent in the requests.
    pending = db.session.scalars(sa.select(Comment.receipt_no).where(Comment.receipt_pending))
    assert sorted(pending) == sorted(receipts_no)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0
    assert production_celery == []  # nothing published from inside the requests
    deadline = time.monotonic() + 5
    while not production_celery and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert production_celery == ["consultations.mail_receipts"]  # three requests, one message

    assert consultation_tasks.mail_receipts.apply().result == 3
    mails = db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [m.recipient for m in mails] == [resident.email] * 3
    for mail, no in zip(mails, receipts_no, strict=True):
        assert no in mail.subject and f"/receipts/{no}" in mail.body
    assert not db.session.scalar(sa.select(sa.func.count()).where(Comment.receipt_pending))
    assert consultation_tasks.mail_receipts.apply().result == 0  # a redelivered task: nothing


def test_receipt_is_written_in_the_authors_language(make_consultation, add_comment, make_user):
    consultation = make_consultation()
    english = make_user()
    english.locale = "en"
    add_comment(consultation, author=english, receipt_pending=True)
    add_comment(consultation, author=None, receipt_pending=True)  # offline, no account
    assert receipt_mail.mail_pending() == 2
    mail = db.session.scalar(sa.select(OutboxMail))
    assert mail.recipient == english.email
    assert "Your opinion was received" in mail.subject and "Receipt number" in mail.body


def test_a_failed_render_leaves_the_receipt_pending(
    make_consultation, add_comment, resident, monkeypatch
):
    consultation = make_consultation()
    comment = add_comment(consultation, author=resident, receipt_pending=True)

    def broken(*args, **kwargs):
        raise RuntimeError("template error")

    monkeypatch.setattr(receipt_mail, "send_template", broken)
    with pytest.raises(RuntimeError):
        receipt_mail.mail_pending()
    db.session.rollback()
    db.session.refresh(comment)
    assert comment.receipt_pending  # the claim rolled back with the failure
    monkeypatch.undo()
    assert receipt_mail.mail_pending() == 1


def test_the_periodic_job_sweeps_what_a_lost_nudge_left(app):
    schedule = celery.conf.beat_schedule["comment-receipts"]
    assert schedule["task"] == "consultations.mail_receipts"
    assert schedule["schedule"] <= 60


def test_concurrent_sweeps_mail_every_receipt_exactly_once(
    postgres_url, app, make_consultation, add_comment, make_user
):
    consultation = make_consultation()
    authors = [make_user() for _ in range(5)]
    db.session.add_all(
        Comment(
            consultation=consultation,
            author=authors[n % 5],
            body=BODY,
            published_body=BODY,
            receipt_no=f"RM{n:06d}",
            status=CommentStatus.accepted,
            receipt_pending=True,
        )
        for n in range(600)
    )
    db.session.commit()
    db.session.remove()
    counts = run_together(app, [lambda: receipt_mail.mail_pending(batch=50)] * 3)
    assert sum(counts) == 600
    subjects = db.session.scalars(sa.select(OutboxMail.subject)).all()
    assert len(subjects) == len(set(subjects)) == 600
