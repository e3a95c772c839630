"""Signing out and resetting the password end every session and remember token,
including copies; remember tokens are random, stored hashed, replaced on use, expiring."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask_login.utils import encode_cookie

from participation.db import db, utcnow
from participation.models import OutboxMail, RememberToken
from participation.signin import LEGACY_REMEMBER_COOKIE, REMEMBER_COOKIE
from tests.helpers import PASSWORD, login


@pytest.fixture
def app_config():
    return {"REMEMBER_ROTATION_GRACE_SECONDS": 0}


def _me(client: Any) -> int | None:
    return client.get("/api/v1/me").get_json().get("id")


def _copy_session(app: Any, source: Any) -> Any:
    """Another browser holding a copy of source's session cookie (a stolen cookie)."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, source.get_cookie(name).value)
    return thief


def _with_remember_cookie(app: Any, token: str) -> Any:
    client = app.test_client()
    client.set_cookie(REMEMBER_COOKIE, token)
    return client


def _remember_login(app: Any, user: Any) -> tuple[Any, str]:
    client = app.test_client()
    resp = client.post(
        "/account/login", data={"email": user.email, "password": PASSWORD, "remember": "on"}
    )
    assert resp.status_code == 302
    cookie = client.get_cookie(REMEMBER_COOKIE)
    assert cookie is not None
    return client, cookie.value


def _reset_password(client: Any, user: Any, new_password: str = "another-long-secret") -> None:
    client.post("/account/reset", data={"email": user.email})
    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == user.email).order_by(OutboxMail.id)
    ).all()[-1]
    path = re.search(r"http://localhost(/account/reset/\S+)", mail.body).group(1)
    resp = client.post(path, data={"password": new_password})
    assert resp.status_code == 302, resp.data[:300]


def test_a_session_cookie_copied_before_sign_out_is_refused_after(app, make_user, login_as):
    user = make_user()
    owner = login_as(user)
    thief = _copy_session(app, owner)
    assert _me(thief) == user.id
    owner.post("/account/logout")
    assert _me(owner) is None
    assert _me(thief) is None
    # Signing in again gives a working session; the copy stays dead.
    login(owner, user)
    assert _me(owner) == user.id and _me(thief) is None


def test_sign_out_ends_the_sessions_on_other_devices(make_user, login_as):
    user = make_user()
    phone, laptop = login_as(user), login_as(user)
    phone.post("/account/logout")
    assert _me(laptop) is None


def test_a_password_reset_ends_every_session(app, make_user, login_as):
    user = make_user()
    owner = login_as(user)
    thief = _copy_session(app, owner)
    _reset_password(app.test_client(), user)
    assert _me(owner) is None and _me(thief) is None
    assert _me(login(app.test_client(), user, "another-long-secret")) == user.id


def test_another_persons_sign_out_ends_nothing_of_mine(make_user, login_as):
    me, other = make_user(), make_user()
    mine = login_as(me)
    login_as(other).post("/account/logout")
    assert _me(mine) == me.id


def test_remember_tokens_are_random_stored_hashed_and_flagged(app, make_user):
    user = make_user()
    first_client, first = _remember_login(app, user)
    _, second = _remember_login(app, user)
    assert first != second and len(first) >= 40
    hashes = set(db.session.scalars(sa.select(RememberToken.token_hash)))
    assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in (first, second)}
    assert first_client.get_cookie(LEGACY_REMEMBER_COOKIE) is None  # Flask-Login's: never set
    header = next(
        h
        for h in app.test_client()
        .post("/account/login", data={"email": user.email, "password": PASSWORD, "remember": "on"})
        .headers.getlist("Set-Cookie")
        if h.startswith(REMEMBER_COOKIE)
    )
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert f"Max-Age={30 * 86400}" in header


def test_a_remember_token_signs_in_once_and_is_replaced(app, make_user):
    user = make_user()
    _, token = _remember_login(app, user)
    browser = _with_remember_cookie(app, token)  # the browser restarted: no session
    assert _me(browser) == user.id
    renewed = browser.get_cookie(REMEMBER_COOKIE).value
    assert renewed != token
    assert _me(browser) == user.id  # now the session carries it
    assert _me(_with_remember_cookie(app, token)) is None  # the old token is spent
    assert _me(_with_remember_cookie(app, renewed)) == user.id


def test_remember_tokens_end_with_sign_out_and_with_a_reset(app, make_user):
    user = make_user()
    client, token = _remember_login(app, user)
    client.post("/account/logout")
    assert client.get_cookie(REMEMBER_COOKIE) is None
    assert _me(_with_remember_cookie(app, token)) is None

    _, token = _remember_login(app, user)
    _reset_password(app.test_client(), user)
    assert _me(_with_remember_cookie(app, token)) is None
    assert db.session.scalar(sa.select(sa.func.count(RememberToken.id))) == 0


def test_remember_tokens_expire(app, make_user):
    user = make_user()
    _, token = _remember_login(app, user)
    row = db.session.scalar(sa.select(RememberToken))
    assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _me(_with_remember_cookie(app, token)) is None


def test_the_old_hmac_remember_cookie_is_refused_and_removed(app, make_user):
    user = make_user()
    client = app.test_client()
    with app.test_request_context():
        client.set_cookie(LEGACY_REMEMBER_COOKIE, encode_cookie(str(user.id)))
    resp = client.get("/api/v1/me")
    assert resp.get_json() == {"authenticated": False}
    assert client.get_cookie(LEGACY_REMEMBER_COOKIE) is None


def test_a_garbage_remember_cookie_is_anonymous(app):
    assert _me(_with_remember_cookie(app, "x" * 500)) is None
    assert _me(_with_remember_cookie(app, "not-a-token")) is None


def test_sessions_can_be_ended_outside_a_request(app, make_user, login_as):
    """A reset or deletion run from the CLI or a task ends sessions as well."""
    from participation import signin

    user = make_user()
    client = login_as(user)
    signin.end_all_sessions(user)  # the app fixture has no request context
    db.session.commit()
    assert _me(client) is None
