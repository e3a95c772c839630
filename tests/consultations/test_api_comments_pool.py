"""The comment API never touches the database after its commit, and a pool timeout is a 503."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from consultations import tasks as consultation_tasks
from consultations.models import Comment
from participation import accounts, tasks
from participation.db import db
from participation.models import OutboxMail

BODY = "建议对夜间渣土车运输实行限时限速管理。"


@pytest.fixture
def token(resident):
    value = accounts.issue_api_token(resident)
    db.session.commit()
    return value


def _post(client, consultation_id, token, **payload):
    payload.setdefault("body", BODY)
    return client.post(
        f"/api/v1/consultations/{consultation_id}/comments?lang=en",
        json=payload,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "pool-test-0001"},
    )


@pytest.fixture
def database_gone_after_commit(monkeypatch):
    """Every statement after the first commit fails as if the pool were exhausted."""
    state = {"armed": False, "committed": False, "after": []}
    monkeypatch.setattr(tasks.deliver_mail, "delay", lambda mail_id: None)

    def committed(session):
        state["committed"] = state["armed"]

    def refuse(conn, cursor, statement, *args):
        if state["committed"]:
            state["after"].append(statement)
            raise sa.exc.TimeoutError("QueuePool limit reached (simulated)")

    sa.event.listen(Session, "after_commit", committed)
    sa.event.listen(db.engine, "before_cursor_execute", refuse)
    yield state
    sa.event.remove(db.engine, "before_cursor_execute", refuse)
    sa.event.remove(Session, "after_commit", committed)


def test_answer_is_built_before_the_commit(
    make_consultation, client, token, database_gone_after_commit
):
    cid = make_consultation().id
    db.session.commit()
    database_gone_after_commit["armed"] = True
    resp = _post(client, cid, token, article=2)
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["article"] == 2 and data["status"] == "accepted"
    assert resp.headers["Location"].endswith(f"/receipts/{data['receipt_no']}")
    # The only statement tried after the commit was the receipt sweep (embedded mode
    # runs it in the request); its failure did not touch the answer.
    assert database_gone_after_commit["after"]
    assert all(
        "comments" in s and "receipt_pending" in s for s in database_gone_after_commit["after"]
    )
    database_gone_after_commit.update(armed=False, committed=False)
    stored = db.session.scalar(sa.select(Comment))
    assert stored.receipt_no == data["receipt_no"]
    # The promise of a receipt mail was committed with the comment, and is kept later.
    assert stored.receipt_pending and db.session.scalar(sa.select(OutboxMail)) is None
    assert consultation_tasks.mail_receipts.apply().result == 1
    mail = db.session.scalar(sa.select(OutboxMail))
    assert data["receipt_no"] in mail.subject
    assert consultation_tasks.mail_receipts.apply().result == 0  # never twice


def test_pool_timeout_is_a_clear_503(make_consultation, client, token, monkeypatch):
    cid = make_consultation().id
    db.session.commit()

    def exhausted(*args):
        raise sa.exc.TimeoutError("QueuePool limit reached (simulated)")

    sa.event.listen(db.engine, "before_cursor_execute", exhausted)
    try:
        resp = _post(client, cid, token)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", exhausted)
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] and resp.get_json()["status"] == 503
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
