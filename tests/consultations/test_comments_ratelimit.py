"""Rate limits on comment writes, per account, on the form and on the API."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from consultations.models import Comment
from participation.db import db
from tests.helpers import csrf_token_from


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "WRITE_RATE_LIMIT": "3 per minute"}


def test_the_fourth_comment_in_a_minute_is_refused(make_consultation, resident, login_as):
    consultation = make_consultation()
    client = login_as(resident)
    url = f"/consultations/{consultation.id}/comment?lang=en"
    codes = [
        client.post(
            url, data={"body": f"第{i}条意见：建议加强监管。", "idempotency_key": uuid.uuid4().hex}
        ).status_code
        for i in range(4)
    ]
    assert codes == [303, 303, 303, 429]
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 3
    csrf = csrf_token_from(client)
    api = [
        client.post(
            f"/api/v1/consultations/{consultation.id}/comments",
            json={"body": f"接口第{i}条意见内容"},
            headers={"X-CSRFToken": csrf},
        )
        for i in range(4)
    ]
    # One budget for all of a person's writes: the API cannot be used to get around it.
    assert [r.status_code for r in api] == [429, 429, 429, 429]
    assert api[-1].get_json()["status"] == 429
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 3
