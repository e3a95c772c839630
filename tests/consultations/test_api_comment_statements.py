"""The comment API stores a comment with one INSERT and no transaction around it, and the
pooled connection it used goes back to ordinary transactions (one pooled connection,
so a leak would show)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from consultations.models import Comment
from participation import accounts
from participation.db import autocommit_statements, db
from participation.models import Organization

BODY = "建议对夜间渣土车运输实行限时限速管理。"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}}


@pytest.fixture
def posted(make_consultation, resident, client) -> Callable[..., Any]:
    """post(**payload): the API response; the test's own session holds no connection
    then, as a request's own session would not (tests share theirs with requests)."""
    consultation_id = make_consultation().id
    token = accounts.issue_api_token(resident)
    db.session.commit()

    def post(**payload: Any) -> Any:
        payload.setdefault("body", BODY)
        return client.post(
            f"/api/v1/consultations/{consultation_id}/comments?lang=en",
            json=payload,
            headers={"Authorization": f"Bearer {token}"},
        )

    return post


def _statements(fn: Callable[[], Any]) -> tuple[Any, list[tuple[str, str | None]]]:
    """fn's result and the writes it sent: (first words, the connection's isolation option)."""
    seen: list[tuple[str, str | None]] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split()
        if words[0].upper() in ("INSERT", "UPDATE", "DELETE", "BEGIN", "SAVEPOINT"):
            seen.append((" ".join(words[:3]), conn.get_execution_options().get("isolation_level")))

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        return fn(), seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)


def test_a_comment_is_one_insert_in_autocommit(posted):
    resp, writes = _statements(posted)
    assert resp.status_code == 201
    # Only the comment's INSERT in autocommit: a second write in submit_comment would
    # not be atomic with it. The receipt mail that the embedded mode sends in the same
    # request, after the commit, runs in an ordinary transaction again.
    assert writes[0] == ("INSERT INTO comments", "AUTOCOMMIT")
    assert writes[1:] and all(level is None for _, level in writes[1:]), writes
    assert db.session.scalar(sa.select(Comment.receipt_no)) == resp.get_json()["receipt_no"]


def test_refused_input_writes_nothing(posted):
    resp, writes = _statements(lambda: posted(body="短"))
    assert resp.status_code == 400 and writes == []
    resp, writes = _statements(lambda: posted(article=99))
    assert resp.status_code == 400 and writes == []
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_the_next_transaction_on_the_same_connection_rolls_back(posted):
    assert posted().status_code == 201
    db.session.add(Organization(name="不应保存的机构"))
    db.session.flush()
    db.session.rollback()
    kept = sa.select(Organization.id).where(Organization.name == "不应保存的机构")
    assert db.session.scalar(kept) is None


def test_a_session_already_in_a_transaction_keeps_it(app):
    db.session.execute(sa.select(1))
    assert autocommit_statements() is False
    db.session.rollback()
    assert autocommit_statements() is True
    db.session.rollback()
