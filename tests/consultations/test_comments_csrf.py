"""With CSRF protection on (as in production): forms and cookie API calls need the token."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from consultations.models import Comment
from participation import accounts
from participation.db import db
from tests.helpers import PASSWORD, csrf_token_from

BODY = "建议公开每一个施工工地的扬尘监测数据。"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _signed_in(client, user, token_path="/account/login"):
    token = csrf_token_from(client, token_path)
    resp = client.post(
        "/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    return client


def _count():
    return db.session.scalar(sa.select(sa.func.count(Comment.id)))


def test_form_without_token_is_refused_and_with_token_accepted(make_consultation, resident, client):
    consultation = make_consultation()
    _signed_in(client, resident)
    url = f"/consultations/{consultation.id}/comment"
    data = {"body": BODY, "idempotency_key": uuid.uuid4().hex}
    refused = client.post(url + "?lang=en", data=data)
    assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)
    assert _count() == 0
    data["csrf_token"] = csrf_token_from(client, url)
    assert client.post(url, data=data).status_code == 303
    assert _count() == 1


def test_cookie_api_call_needs_the_header_bearer_does_not(make_consultation, resident, client):
    consultation = make_consultation()
    _signed_in(client, resident)
    url = f"/api/v1/consultations/{consultation.id}/comments"
    refused = client.post(url, json={"body": BODY})
    assert refused.status_code == 403 and "CSRF" in refused.get_json()["error"]
    assert _count() == 0
    token = csrf_token_from(client, "/")
    assert client.post(url, json={"body": BODY}, headers={"X-CSRFToken": token}).status_code == 201

    api_token = accounts.issue_api_token(resident)
    db.session.commit()
    fresh = client.application.test_client()
    resp = fresh.post(
        url, json={"body": BODY + "！"}, headers={"Authorization": f"Bearer {api_token}"}
    )
    assert resp.status_code == 201
    assert _count() == 2


def test_moderation_and_offline_forms_need_the_token(make_consultation, organizer, client):
    consultation = make_consultation()
    _signed_in(client, organizer)
    base = f"/staff/consultations/{consultation.id}"
    assert (
        client.post(base + "/offline", data={"channel": "letter", "body": BODY}).status_code == 400
    )
    assert client.post(base + "/offline/purge-contacts").status_code == 400
    assert _count() == 0
