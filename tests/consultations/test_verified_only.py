"""A comment needs a confirmed email address (issue 11: unverified accounts commented at
once). The resident is told why and offered a new link; the API answers 403."""

from __future__ import annotations

import sqlalchemy as sa

from consultations.models import Comment
from participation import accounts
from participation.db import db
from participation.models import OutboxMail

BODY = "建议在老旧小区加装电梯时统筹考虑无障碍通道。"


def _comments() -> int:
    return db.session.scalar(sa.select(sa.func.count(Comment.id))) or 0


def test_unverified_resident_sees_why_and_can_ask_for_a_new_link(
    make_consultation, make_user, login_as
):
    c = make_consultation()
    user = make_user("new@example.org", verified=False)
    client = login_as(user)
    page = client.get(f"/consultations/{c.id}/comment?lang=en").get_data(as_text=True)
    assert "Please confirm your email address first" in page
    assert 'action="/account/verify/resend"' in page
    assert 'name="body"' not in page  # no form to fill in for nothing

    resp = client.post(f"/consultations/{c.id}/comment?lang=en", data={"body": BODY})
    assert resp.status_code == 403
    html = resp.get_data(as_text=True)
    assert "confirm your email address" in html and 'action="/account/verify/resend"' in html
    assert _comments() == 0

    assert client.post("/account/verify/resend").status_code == 302
    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == "new@example.org")
    ).one()
    assert "/account/verify/" in mail.body


def test_api_refuses_an_unverified_token_with_403(make_consultation, make_user, client):
    c = make_consultation()
    user = make_user(verified=False)
    token = accounts.issue_api_token(user)
    db.session.commit()
    resp = client.post(
        f"/api/v1/consultations/{c.id}/comments?lang=en",
        json={"body": BODY},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 403
    assert "confirm your email address" in resp.get_json()["error"]
    assert _comments() == 0


def test_verified_resident_still_comments(make_consultation, resident, login_as):
    c = make_consultation()
    resp = login_as(resident).post(f"/consultations/{c.id}/comment", data={"body": BODY})
    assert resp.status_code in (200, 302, 303)
    assert _comments() == 1
