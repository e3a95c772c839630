"""API comments arriving together are stored by one INSERT (participation.batching), each
exactly once, with its own outcome (PostgreSQL; SQLite stores each by its own)."""

from __future__ import annotations

import threading
import time
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


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.005)


def _hold_first_statement(group: batching.GroupInsert, total: int) -> threading.Event:
    """Make the first batch wait until it and the rows queued behind it are ``total``, so
    the test decides how rows are grouped instead of the scheduler. The event is set once
    the first batch is taken and held: rows inserted after it cannot join that batch."""
    real = group._execute
    first = threading.Event()

    def held(params: list[Any]) -> Any:
        if not first.is_set():
            first.set()
            _wait_for(lambda: len(params) + len(group._pending) >= total, "rows queued")
        return real(params)

    group._execute = held  # type: ignore[method-assign]
    return first


def test_concurrent_comments_share_statements_and_are_each_stored_once(
    postgres_url, app, submitter
):
    group = _group(app)
    fns = [submitter() for _ in range(40)]
    _hold_first_statement(group, total=40)
    results = run_together(app, fns)

    numbers = [sub.receipt.receipt_no for sub in results]
    assert all(sub.created for sub in results) and len(set(numbers)) == 40
    stored = db.session.scalars(sa.select(Comment.receipt_no)).all()
    assert sorted(stored) == sorted(numbers)
    # Those taken by the first statement, and all that queued behind it, together.
    assert (group.statements, group.rows) == (2, 40)
    assert {sub.comment.id for sub in results} == set(db.session.scalars(sa.select(Comment.id)))


def test_a_retry_in_the_same_batch_is_a_replay_not_a_second_comment(
    postgres_url, app, submitter, make_user
):
    group = _group(app)
    user_id = make_user().id
    other, same = submitter(), [submitter(key="double-click-01", user_id=user_id) for _ in range(2)]
    held = _hold_first_statement(group, total=3)
    # Another resident's comment goes first and is held, so both clicks share the next one.
    ahead = threading.Thread(target=run_together, args=(app, [other]))
    ahead.start()
    _wait_for(held.is_set, "the first comment's batch")
    first, second = run_together(app, same)
    ahead.join(30)

    assert (group.statements, group.rows) == (2, 3)
    assert first.receipt.receipt_no == second.receipt.receipt_no
    assert sorted([first.created, second.created]) == [False, True]
    count = sa.select(sa.func.count(Comment.id)).where(Comment.author_id == user_id)
    assert db.session.scalar(count) == 1


@pytest.fixture
def row(make_consultation, make_user) -> Callable[..., dict[str, Any]]:
    """row(author_id=None, key=None, body=BODY, receipt_no=None): INSERT parameters of an
    online comment, for GroupInsert directly."""
    consultation = make_consultation()
    db.session.commit()

    def make(
        author_id: int | None = None,
        key: str | None = None,
        body: str = BODY,
        receipt_no: str | None = None,
    ) -> dict[str, Any]:
        return {
            "consultation_id": consultation.id,
            "article_id": None,
            "author_id": author_id or make_user().id,
            "as_organization_id": None,
            "channel": "online",
            "publish_mode": "named",
            "idempotency_key": key,
            "submitted_at": consultation.opens_at,
            "body": body,
            "published_body": body,
            "flagged_words": [],
            "status": "accepted",
            "receipt_pending": False,
            "review_notice_pending": False,
            "receipt_no": receipt_no or receipts.generate(2026),
        }

    return make


def _one_batch_after_a_first(group: batching.GroupInsert, first: dict, rows: list[dict]) -> list:
    """Insert first alone (its statement held), then rows together in the next statement;
    the outcome of each of rows: its returned row, None, or the exception raised."""
    outcomes: list[Any] = [None] * len(rows)

    def insert(i: int, params: dict) -> None:
        try:
            outcome = group.insert(params)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcome = exc
        if i >= 0:
            outcomes[i] = outcome

    held = _hold_first_statement(group, total=1 + len(rows))
    ahead = threading.Thread(target=insert, args=(-1, first))
    ahead.start()
    _wait_for(held.is_set, "the first row's batch")
    threads = [threading.Thread(target=insert, args=(i, r)) for i, r in enumerate(rows)]
    for t in threads:
        t.start()
    for t in [ahead, *threads]:
        t.join(60)
    return outcomes


def _stored() -> set[str]:
    db.session.rollback()  # a fresh snapshot: the batches committed on their own connection
    return set(db.session.scalars(sa.select(Comment.receipt_no)))


def test_a_row_the_database_refuses_fails_alone(postgres_url, app, row):
    group = _group(app)
    first, good, bad, other = row(), row(), row(body="含有\x00的文字"), row()
    outcomes = _one_batch_after_a_first(group, first, [good, bad, other])

    assert isinstance(outcomes[1], sa.exc.DataError)  # PostgreSQL refuses NUL in text
    assert outcomes[0].receipt_no == good["receipt_no"]
    assert outcomes[2].receipt_no == other["receipt_no"]
    assert _stored() == {first["receipt_no"], good["receipt_no"], other["receipt_no"]}
    # Stored: first, then good and other each alone after the batch of three was refused.
    assert (group.statements, group.rows) == (3, 3)


def test_a_skipped_row_in_the_middle_gets_none_and_its_neighbours_their_own_rows(
    postgres_url, app, row, make_user
):
    group = _group(app)
    author = make_user().id
    first = row(author_id=author, key="retry-key-001")
    before, retry, after = row(), row(author_id=author, key="retry-key-001"), row()
    outcomes = _one_batch_after_a_first(group, first, [before, retry, after])

    assert outcomes[1] is None  # (author, key) was stored by the first statement
    assert outcomes[0].receipt_no == before["receipt_no"]
    assert outcomes[2].receipt_no == after["receipt_no"]
    assert outcomes[0].id != outcomes[2].id
    assert _stored() == {first["receipt_no"], before["receipt_no"], after["receipt_no"]}


def test_two_rows_with_one_receipt_number_in_a_batch_never_share_a_row(postgres_url, app, row):
    group = _group(app)
    number = receipts.generate(2026)
    mine, clash = row(receipt_no=number), row(receipt_no=number)
    outcomes = _one_batch_after_a_first(group, row(), [mine, clash])
    assert outcomes[0].receipt_no == number and outcomes[1] is None


def test_an_unknown_outcome_is_raised_in_each_request_as_its_own_exception(postgres_url, app, row):
    group = _group(app)
    real = group._execute
    lost = sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

    def failing(params: list[Any]) -> Any:
        if len(params) > 1:
            raise lost
        return real(params)

    group._execute = failing  # type: ignore[method-assign]
    a, b = row(), row()
    outcomes = _one_batch_after_a_first(group, row(), [a, b])

    assert all(isinstance(o, sa.exc.OperationalError) for o in outcomes)
    assert outcomes[0] is not outcomes[1] and outcomes[0].__cause__ is lost
    assert not _stored() & {a["receipt_no"], b["receipt_no"]}  # not retried row by row
    assert group.statements == 1


def test_a_request_that_stops_waiting_takes_its_row_out_of_the_queue(postgres_url, app, row):
    group = _group(app)
    release, taken = threading.Event(), threading.Event()
    real = group._execute

    def held(params: list[Any]) -> Any:
        taken.set()
        release.wait(60)
        return real(params)

    group._execute = held  # type: ignore[method-assign]
    first = row()
    ahead = threading.Thread(target=group.insert, args=(first,))
    ahead.start()
    _wait_for(taken.is_set, "the first row's batch")
    late = row()
    with pytest.raises(batching.Unfinished):
        group.insert(late, timeout=0.2)
    release.set()
    ahead.join(60)
    assert _stored() == {first["receipt_no"]}
    assert group.rows == 1


def test_without_a_thread_to_flush_the_request_flushes_its_row_itself(
    postgres_url, app, row, monkeypatch
):
    group = _group(app)

    def no_thread(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    first = row()
    assert group.insert(first).receipt_no == first["receipt_no"]
    monkeypatch.undo()
    second = row()
    assert group.insert(second).receipt_no == second["receipt_no"]
    assert not group._flushing and not group._pending


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
