"""Comment intake in a real gevent web process with a Celery worker (PostgreSQL, Redis):
with group inserts on (the production path: greenlets, not the threads of the other
tests), concurrent API comments are each stored exactly once, and every receipt mail
goes out through the worker's sweep."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from consultations.models import Comment
from participation import accounts
from participation.db import db
from participation.models import OutboxMail
from tests.conftest import RUN_ID, free_port
from tests.processes import start_web, start_worker

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CLIENTS = 30


def test_concurrent_api_comments_are_stored_once_and_receipts_mailed(
    app, make_consultation, make_user, postgres_url, redis_url, tmp_path
):
    consultation_id = make_consultation().id
    users = [make_user() for _ in range(CLIENTS)]
    tokens = [accounts.issue_api_token(u) for u in users]
    db.session.commit()
    env = {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "intake-test-" + RUN_ID,
        "SOCKETIO_CHANNEL": f"canyu-test-{RUN_ID}",
        "CELERY_QUEUE": f"canyu-intake-{RUN_ID}",
        "INSTANCE_PATH": str(tmp_path),
        "RATELIMIT_ENABLED": "0",
    }
    with start_web(free_port(), env) as web, start_worker(env):

        def post(i: int) -> requests.Response:
            return requests.post(
                f"{web}/api/v1/consultations/{consultation_id}/comments",
                json={"body": f"建议加强夜间施工噪声管理，第{i}条意见。"},
                headers={
                    "Authorization": f"Bearer {tokens[i % CLIENTS]}",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
                timeout=60,
            )

        with ThreadPoolExecutor(CLIENTS) as pool:
            responses = list(pool.map(post, range(CLIENTS * 3)))
        assert [r.status_code for r in responses] == [201] * (CLIENTS * 3)
        returned = [r.json()["receipt_no"] for r in responses]

        db.session.rollback()
        stored = db.session.scalars(sa.select(Comment.receipt_no)).all()
        assert sorted(stored) == sorted(returned) and len(set(stored)) == CLIENTS * 3

        deadline = time.monotonic() + 60
        pending = sa.select(sa.func.count(Comment.id)).where(Comment.receipt_pending)
        while db.session.scalar(pending) and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.5)
        assert db.session.scalar(pending) == 0
        mails = sa.select(sa.func.count(OutboxMail.id))
        assert db.session.scalar(mails) >= CLIENTS * 3
