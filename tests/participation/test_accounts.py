"""Registration, verification, sign-in, reset, tokens and personal data, seen from outside."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation import accounts
from participation.db import db
from participation.models import OutboxMail, User
from tests.helpers import PASSWORD, login


def _last_mail(to: str) -> OutboxMail:
    return db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == to).order_by(OutboxMail.id.desc())
    ).first()


def _link(mail: OutboxMail) -> str:
    match = re.search(r"https?://[^\s]+", mail.body)
    assert match
    return match.group(0).replace("http://localhost", "")


def test_register_sends_verification_and_confirms(client):
    resp = client.post(
        "/account/register",
        data={
            "email": "Alice@Example.org",
            "password": "a-long-password",
            "display_name": "爱丽丝",
            "consent": "yes",
        },
    )
    assert resp.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "alice@example.org"))
    assert user is not None and user.email_verified_at is None
    assert user.password_hash.startswith("$argon2")
    mail = _last_mail("alice@example.org")
    assert mail.status == "kept"  # no mail server: kept in the outbox
    assert "确认" in mail.subject  # Chinese by default
    resp = client.get(_link(mail))
    assert resp.status_code == 302
    db.session.refresh(user)
    assert user.email_verified_at is not None


def test_register_rejects_bad_input_without_writing(client):
    cases = [
        ({"email": "not-an-email", "password": "a-long-password", "display_name": "x"}, "email"),
        ({"email": "b@example.org", "password": "short", "display_name": "x"}, "password"),
        (
            {"email": "b@example.org", "password": "a-long-password", "display_name": ""},
            "display_name",
        ),
        (
            {"email": "b@example.org", "password": "a-long-password", "display_name": "x" * 51},
            "display_name",
        ),
    ]
    for data, field in cases:
        resp = client.post("/account/register", data={**data, "consent": "yes"})
        assert resp.status_code == 400, field
        assert f'id="e-{field}"' in resp.get_data(as_text=True)
    resp = client.post(
        "/account/register",
        data={"email": "b@example.org", "password": "a-long-password", "display_name": "x"},
    )
    assert resp.status_code == 400  # no consent
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0


def test_duplicate_email_answers_like_a_new_one(client, make_user):
    # Registration does not tell whether an address has an account (issue 11): the same
    # redirect and message; the owner is told by mail instead. Details: test_account_abuse.
    make_user("taken@example.org")
    form = {"password": "a-long-password", "display_name": "x", "consent": "yes"}
    taken = client.post("/account/register", data={**form, "email": "TAKEN@example.org"})
    new = client.post("/account/register", data={**form, "email": "new@example.org"})
    assert taken.status_code == new.status_code == 302
    assert taken.headers["Location"] == new.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_login_wrong_password_same_message_as_unknown_email(client, make_user):
    make_user("bob@example.org")
    a = client.post("/account/login", data={"email": "bob@example.org", "password": "nope"})
    b = client.post("/account/login", data={"email": "who@example.org", "password": "nope"})
    assert a.status_code == b.status_code == 400
    assert "邮箱或密码错误" in a.get_data(as_text=True)
    assert "邮箱或密码错误" in b.get_data(as_text=True)


def test_login_redirect_refuses_other_sites(client, make_user):
    user = make_user()
    resp = client.post(
        "/account/login",
        data={"email": user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert resp.headers["Location"] == "/"


def test_password_reset_link_works_once(client, make_user):
    user = make_user("carol@example.org")
    client.post("/account/reset", data={"email": "carol@example.org"})
    link = _link(_last_mail("carol@example.org"))
    assert client.post(link, data={"password": "brand-new-password"}).status_code == 302
    assert client.post(link, data={"password": "another-password-1"}).status_code == 400
    db.session.refresh(user)
    assert accounts.check_password(user, "brand-new-password")


def test_reset_for_unknown_email_reveals_nothing(client):
    resp = client.post("/account/reset", data={"email": "ghost@example.org"})
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0


def test_personal_data_export_and_delete(client, make_user):
    user = make_user("dora@example.org", name="朵拉")
    login(client, user)
    data = client.get("/account/data.json").get_json()
    assert data["account"]["email"] == "dora@example.org"
    # wrong password: nothing deleted
    client.post("/account/delete", data={"password": "wrong"})
    db.session.refresh(user)
    assert user.deleted_at is None
    client.post("/account/delete", data={"password": PASSWORD})
    db.session.refresh(user)
    assert user.deleted_at is not None and user.email is None and user.display_name != "朵拉"
    assert client.get("/account/").status_code == 302  # signed out


def test_api_token_authenticates_api_only(client, make_user, app):
    user = make_user()
    login(client, user)
    html = client.post("/account/token").get_data(as_text=True)
    token = re.search(r"cy_[\w-]+", html).group(0)
    fresh = app.test_client()
    me = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me == {"authenticated": True, "id": user.id, "display_name": user.display_name}
    # the token is not a way into the browser pages
    assert fresh.get("/account/", headers={"Authorization": f"Bearer {token}"}).status_code == 302
    bad = fresh.get("/api/v1/me", headers={"Authorization": "Bearer cy_wrong"}).get_json()
    assert bad == {"authenticated": False}


def test_english_interface(client):
    html = client.get("/account/login?lang=en").get_data(as_text=True)
    assert "Sign in" in html and 'lang="en"' in html
    # the choice sticks through a cookie
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
