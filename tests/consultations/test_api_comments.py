"""POST /api/v1/consultations/<id>/comments and GET /api/v1/receipts/<no>."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consultations.models import Comment, CommentStatus
from consultations.services import receipts
from participation import accounts
from participation.db import db, utcnow
from tests.helpers import csrf_token_from

BODY = "建议对夜间渣土车运输实行限时限速管理。"


@pytest.fixture
def token(resident):
    value = accounts.issue_api_token(resident)
    db.session.commit()
    return value


def _post(client, consultation, token=None, key=None, csrf=None, **payload):
    headers = {"X-CSRFToken": csrf} if csrf else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    payload.setdefault("body", BODY)
    return client.post(
        f"/api/v1/consultations/{consultation.id}/comments?lang=en", json=payload, headers=headers
    )


def _count():
    return db.session.scalar(sa.select(sa.func.count(Comment.id)))


def test_token_client_submits_and_gets_a_receipt(make_consultation, client, token, resident):
    consultation = make_consultation()
    resp = _post(client, consultation, token, article=2, publish_mode="anonymous")
    assert resp.status_code == 201
    data = resp.get_json()
    assert data["status"] == "accepted" and data["article"] == 2
    assert receipts.normalise(data["receipt_no"]) == data["receipt_no"]
    assert data["receipt_url"].endswith(f"/receipts/{data['receipt_no']}")
    comment = db.session.scalar(sa.select(Comment))
    assert comment.author_id == resident.id and comment.publish_mode.value == "anonymous"
    check = client.get(resp.headers["Location"]).get_json()
    assert check["receipt_no"] == data["receipt_no"] and check["text"] == BODY


def test_idempotency_key_replays_and_detects_a_changed_body(make_consultation, client, token):
    consultation = make_consultation()
    first = _post(client, consultation, token, key="retry-0001")
    replay = _post(client, consultation, token, key="retry-0001")
    assert first.status_code == 201 and replay.status_code == 200
    assert replay.get_json()["receipt_no"] == first.get_json()["receipt_no"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    changed = _post(client, consultation, token, key="retry-0001", body="完全不同的意见内容。")
    assert changed.status_code == 409
    assert first.get_json()["receipt_no"] in changed.get_json()["error"]
    assert _count() == 1
    assert _post(client, consultation, token, key="retry-0002").status_code == 201
    assert _count() == 2


class TestWithCsrf:
    """Cookie clients must send the CSRF header; CSRF is on here, as in production."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_signed_in_cookie_client_needs_the_csrf_header(
        self, make_consultation, resident, login_as
    ):
        consultation = make_consultation()
        client = login_as(resident)
        assert _post(client, consultation).status_code == 403
        assert _post(client, consultation, csrf=csrf_token_from(client)).status_code == 201
        assert _count() == 1

    def test_not_signed_in_is_told_how_to_authenticate(self, make_consultation, client):
        consultation = make_consultation()
        # No session and no token: 401 with a Bearer challenge, with or without CSRF.
        for resp in (_post(client, consultation), _post(client, consultation, csrf="x")):
            assert resp.status_code == 401
            assert resp.get_json()["error"] == "Please sign in first."
            assert resp.headers["WWW-Authenticate"] == 'Bearer realm="api"'
        # A token that is not (or no longer) valid says so (RFC 6750 invalid_token).
        resp = _post(client, consultation, token="cy_not-a-real-token")
        assert resp.status_code == 401 and "token is not valid" in resp.get_json()["error"]
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
        assert _count() == 0


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"body": ""}, 400, "body"),
        ({"body": "   "}, 400, "body"),
        ({"body": "字" * 5001}, 400, "body"),
        ({"body": 12345}, 400, "body"),
        ({"body": ["a"]}, 400, "body"),
        ({"article": 99}, 400, "article"),
        ({"article": "two"}, 400, "article"),
        ({"article": True}, 400, "article"),
        ({"publish_mode": "loud"}, 400, "publish_mode"),
        ({"as_organization_id": 999}, 403, "as_organization_id"),
    ],
)
def test_bad_input_is_a_json_error_and_writes_nothing(
    make_consultation, client, token, payload, status, field
):
    consultation = make_consultation()
    resp = _post(client, consultation, token, **payload)
    assert resp.status_code == status, resp.get_json()
    body = resp.get_json()
    assert body["status"] == status and body["error"] and body.get("field") == field
    assert _count() == 0


def test_malformed_json_and_bad_keys(make_consultation, client, token):
    consultation = make_consultation()
    resp = client.post(
        f"/api/v1/consultations/{consultation.id}/comments",
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 400 and resp.get_json()["error"]
    assert _post(client, consultation, token, key="short").status_code == 400
    assert _post(client, consultation, token, key="bad key with spaces!").status_code == 400
    assert _count() == 0


@pytest.mark.parametrize(("state", "status"), [("closed", 410), ("scheduled", 410)])
def test_outside_the_window(make_consultation, client, token, state, status):
    consultation = make_consultation(state=state)
    resp = _post(client, consultation, token)
    assert resp.status_code == status and resp.get_json()["error"]
    assert _count() == 0


def test_unknown_consultation_is_404(client, token):
    resp = client.post(
        "/api/v1/consultations/424242/comments",
        json={"body": BODY},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 404


def test_flagged_comment_is_pending(make_consultation, client, token):
    consultation = make_consultation()
    resp = _post(client, consultation, token, body="赌博网站广告，请加微信了解")
    assert resp.status_code == 201 and resp.get_json()["status"] == "pending"
    assert db.session.scalar(sa.select(Comment)).status == CommentStatus.pending


def test_receipt_api_errors(client):
    assert client.get("/api/v1/receipts/nonsense").status_code == 400
    assert client.get(f"/api/v1/receipts/{receipts.generate(2026)}").status_code == 404


def test_openapi_describes_both_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/api/v1/consultations/{consultation_id}/comments"]["post"]
    assert "201" in post["responses"] and "409" in post["responses"]
    assert "/api/v1/receipts/{receipt_no}" in doc["paths"]
    assert "NewComment" in doc["components"]["schemas"]


def test_a_changed_consultation_is_seen_by_the_next_comment(make_consultation, client, token):
    """The API reads the consultation from a snapshot; a change here drops it at once."""
    consultation = make_consultation()
    assert _post(client, consultation, token, key="snapshot-0001").status_code == 201
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    resp = _post(client, consultation, token, key="snapshot-0002")
    assert resp.status_code == 410 and "closed" in resp.get_json()["error"]
    consultation.closes_at = utcnow() + timedelta(days=3)
    consultation.decision.confidential = True
    db.session.commit()
    assert _post(client, consultation, token, key="snapshot-0003").status_code == 404
    assert _count() == 1
