"""The cookie session: skipped without a cookie, signed with the current key or a fallback."""

from __future__ import annotations

from typing import Any


def _me(client: Any) -> dict[str, Any]:
    resp = client.get("/api/v1/me")
    assert resp.status_code == 200
    return resp.get_json()


def test_a_request_without_a_session_cookie_sets_none(client):
    resp = client.get("/api/v1/me")
    assert resp.get_json() == {"authenticated": False}
    assert "Set-Cookie" not in resp.headers


def test_a_signed_in_session_survives_key_rotation_only_with_the_old_key_as_fallback(
    app, make_user, login_as
):
    user = make_user()
    client = login_as(user)
    assert _me(client)["id"] == user.id

    old = app.secret_key
    app.config["SECRET_KEY"] = "rotated-" + old
    assert _me(client) == {"authenticated": False}  # signed with a key no longer trusted

    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert _me(client)["id"] == user.id


def test_a_tampered_session_cookie_is_an_empty_session(app, make_user, login_as):
    client = login_as(make_user())
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value[:-2] + "xx")
    assert _me(client) == {"authenticated": False}
