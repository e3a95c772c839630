"""API comments arriving together are stored by one INSERT (participation.batching), each
exactly once, with its own outcome (PostgreSQL; SQLite stores each by its own)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from consultations.models import Comment, Consultation
from consultations.services import comments, receipts
from participation import accounts, batching
from participation.db import db
from participation.models import User
from tests.helpers import run_together

BODY = "建议对夜间渣土车运输实行限时限速管理。"


@pytest.fixture
def submitter(app, make_consultation, make_user) -> Callable[..., Callable[[], Any]]:
    """submitter(key=None, body=BODY) -> a function that submits as its own new user in
    its own session, for run_together; it returns the Submission."""
    consultation_id = make_consultation().id
    db.session.commit()

    def make(key: str | None = None, body: str = BODY, user_id: int | None = None) -> Any:
        uid = user_id or make_user().id

        def submit() -> Any:
            user = db.session.get(User, uid)
            consultation = db.session.get(Consultation, consultation_id)
            sub = comments.submit_comment(
                user, consultation, body=body, idempotency_key=key, stored_at_once=True
            )
            db.session.commit()
            return sub

        return submit

    return make


def _group(app: Any) -> batching.GroupInsert:
    with app.test_request_context():
        group = comments._group_insert()
    assert group is not None
    return group


def _hold_first_statement(group: batching.GroupInsert, until_pending: int) -> None:
    """Make the first batch wait until until_pending more rows queue behind it, so the
    test decides how rows are grouped instead of the scheduler."""
    real = group._execute
    first = threading.Event()

    def held(params: list[Any]) -> Any:
        if not first.is_set():
            first.set()
            for _ in range(1000):
                with group._lock:
                    if len(group._pending) >= until_pending:
                        break
                threading.Event().wait(0.01)
        return real(params)

    group._execute = held  # type: ignore[method-assign]


def test_concurrent_comments_share_statements_and_are_each_stored_once(
    postgres_url, app, submitter
):
    group = _group(app)
    fns = [submitter() for _ in range(40)]
    _hold_first_statement(group, until_pending=39)
    results = run_together(app, fns)

    numbers = [sub.receipt.receipt_no for sub in results]
    assert all(sub.created for sub in results) and len(set(numbers)) == 40
    stored = db.session.scalars(sa.select(Comment.receipt_no)).all()
    assert sorted(stored) == sorted(numbers)
    # The first alone, the 39 that queued behind it together.
    assert (group.statements, group.rows) == (2, 40)
    assert {sub.comment.id for sub in results} == set(db.session.scalars(sa.select(Comment.id)))


def test_a_retry_in_the_same_batch_is_a_replay_not_a_second_comment(
    postgres_url, app, submitter, make_user
):
    group = _group(app)
    user_id = make_user().id
    other, same = submitter(), [submitter(key="double-click-01", user_id=user_id) for _ in range(2)]
    _hold_first_statement(group, until_pending=2)
    # Another resident's comment goes first and is held, so both clicks share the next one.
    ahead = threading.Thread(target=run_together, args=(app, [other]))
    ahead.start()
    for _ in range(1000):
        if group._flushing:
            break
        threading.Event().wait(0.01)
    first, second = run_together(app, same)
    ahead.join(30)

    assert (group.statements, group.rows) == (2, 3)
    assert first.receipt.receipt_no == second.receipt.receipt_no
    assert sorted([first.created, second.created]) == [False, True]
    count = sa.select(sa.func.count(Comment.id)).where(Comment.author_id == user_id)
    assert db.session.scalar(count) == 1


def test_a_row_the_database_refuses_fails_alone(postgres_url, app, make_consultation, resident):
    consultation = make_consultation()
    db.session.commit()
    group = _group(app)
    values = {
        "consultation_id": consultation.id,
        "article_id": None,
        "author_id": resident.id,
        "as_organization_id": None,
        "channel": "online",
        "publish_mode": "named",
        "idempotency_key": None,
        "submitted_at": consultation.opens_at,
        "published_body": BODY,
        "flagged_words": [],
        "status": "accepted",
        "receipt_pending": False,
    }
    bodies = [BODY, "含有\x00的文字", BODY]  # PostgreSQL refuses NUL in text
    rows = [{**values, "body": b, "receipt_no": receipts.generate(2026)} for b in bodies]
    outcomes: list[Any] = [None] * 3
    _hold_first_statement(group, until_pending=2)

    def insert(i: int) -> None:
        try:
            outcomes[i] = group.insert(rows[i])
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcomes[i] = exc

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert isinstance(outcomes[1], sa.exc.DataError)
    assert outcomes[0].receipt_no == rows[0]["receipt_no"]
    assert outcomes[2].receipt_no == rows[2]["receipt_no"]
    stored = set(db.session.scalars(sa.select(Comment.receipt_no)))
    assert stored == {rows[0]["receipt_no"], rows[2]["receipt_no"]}


def test_without_postgresql_or_switched_off_comments_use_the_request_transaction(app):
    with app.test_request_context():
        on_postgres = db.engine.dialect.name == "postgresql"
        assert (comments._group_insert() is not None) == on_postgres
        app.config["COMMENT_GROUP_INSERTS"] = False
        assert comments._group_insert() is None


def test_the_api_stores_its_comment_through_the_group_insert(
    postgres_url, app, client, make_consultation, resident
):
    consultation_id = make_consultation().id
    token = accounts.issue_api_token(resident)
    db.session.commit()
    resp = client.post(
        f"/api/v1/consultations/{consultation_id}/comments",
        json={"body": BODY},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 201
    assert (_group(app).statements, _group(app).rows) == (1, 1)
    stored = db.session.scalar(sa.select(Comment.receipt_no))
    assert stored == resp.get_json()["receipt_no"]


def test_refused_input_stores_nothing(app, client, make_consultation, resident):
    consultation_id = make_consultation().id
    token = accounts.issue_api_token(resident)
    db.session.commit()
    for payload in ({"body": "短"}, {"body": BODY, "article": 99}, {"body": BODY * 400}):
        resp = client.post(
            f"/api/v1/consultations/{consultation_id}/comments?lang=en",
            json=payload,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert resp.status_code == 400, payload
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0
    with app.test_request_context():
        group = comments._group_insert()
    assert group is None or group.statements == 0
