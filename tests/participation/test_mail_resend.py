"""Mail whose delivery message was lost (a killed worker, Redis restarted, a failed
publish) is sent by the resend sweep, once (tests/faults does it with real processes)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation import mail
from participation.db import db, utcnow
from participation.models import OutboxMail
from participation.tasks import deliver_mail, resend_queued_mail


def test_resend_sweep_delivers_old_queued_mail_only(app):
    app.config["OUTBOX_RESEND_SECONDS"] = 60
    old = OutboxMail(
        recipient="a@example.org", subject="s", body="b", created_at=utcnow() - timedelta(minutes=5)
    )
    young = OutboxMail(recipient="b@example.org", subject="s", body="b")
    sent = OutboxMail(
        recipient="c@example.org", subject="s", body="b", status="kept",
        created_at=utcnow() - timedelta(minutes=5),
    )  # fmt: skip
    db.session.add_all([old, young, sent])
    db.session.commit()
    assert resend_queued_mail() == 1  # eager Celery: delivered at once
    db.session.expire_all()
    assert (old.status, young.status, sent.status) == ("kept", "queued", "kept")
    assert deliver_mail(old.id) == "skipped"  # a second delivery sends nothing


def test_a_failed_publish_does_not_fail_the_committed_request(app, monkeypatch):
    from participation import tasks

    def broker_down(*args, **kwargs):
        raise OSError("Redis is restarting")

    monkeypatch.setattr(tasks.deliver_mail, "delay", broker_down)
    mail.send_mail("a@example.org", "主题", "正文")
    db.session.commit()  # raised before: a 500 for a request whose data was stored
    assert db.session.query(OutboxMail).one().status == "queued"


@pytest.mark.parametrize("status", ["sent", "kept"])
def test_delivered_mail_is_never_sent_again(app, status):
    m = OutboxMail(recipient="a@example.org", subject="s", body="b", status=status)
    db.session.add(m)
    db.session.commit()
    assert deliver_mail(m.id) == "skipped"


def test_a_publishing_client_made_in_the_process_does_not_capture_the_tasks(_schema):
    """bench/faults.py publishes through a Celery() of its own; shared tasks resolve
    through the current app, so a later app must take them back (it once left every
    mail of the rest of the test run 'queued')."""
    from celery import Celery

    from participation import create_app
    from tests.conftest import _config, _empty_tables

    Celery(broker="memory://")  # becomes the current app, as any Celery() does by default
    app = create_app(_config(_schema))
    with app.app_context():
        try:
            sent = mail.send_mail("a@example.org", "主题", "正文")
            db.session.commit()
            assert db.session.get(OutboxMail, sent.id).status == "kept"
        finally:
            db.session.remove()
            _empty_tables()
