"""Staff writes are CSRF-protected and rate-limited like every form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consultations.models import Response
from participation.db import db
from tests.helpers import PASSWORD, csrf_token_from


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True, "WRITE_RATE_LIMIT": "3 per minute"}


def _signed_in(client, user):
    token = csrf_token_from(client, "/account/login")
    resp = client.post(
        "/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    return client


def test_response_form_needs_the_csrf_token(make_consultation, add_comment, organizer, client):
    comment = add_comment(make_consultation())
    _signed_in(client, organizer)
    url = f"/staff/comments/{comment.id}/response"
    assert client.post(url, data={"outcome": "adopted"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0
    token = csrf_token_from(client, url)
    resp = client.post(url, data={"outcome": "adopted", "csrf_token": token})
    assert resp.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_bulk_actions_are_rate_limited(make_consultation, add_comment, organizer, client):
    c = make_consultation()
    comment = add_comment(c)
    _signed_in(client, organizer)
    token = csrf_token_from(client, f"/staff/consultations/{c.id}/")
    codes = [
        client.post(
            f"/staff/consultations/{c.id}/bulk",
            data={
                "action": "assign",
                "ids": [comment.id],
                "new_group_title": f"组{i}",
                "csrf_token": token,
            },
        ).status_code
        for i in range(5)
    ]
    assert codes[:3] == [303, 303, 303] and codes[-1] == 429
