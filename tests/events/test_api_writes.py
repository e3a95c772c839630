"""API writes with CSRF and rate limits switched on, as in production."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from events.models import SelectionMode
from events.models.application import Application
from participation import accounts
from participation.db import db
from tests.events.factories import form
from tests.helpers import csrf_token_from


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True, "WRITE_RATE_LIMIT": "4 per minute"}


def _login(app: Any, user: Any) -> Any:
    """Sign in through the login form, CSRF token included."""
    from tests.helpers import PASSWORD

    client = app.test_client()
    token = csrf_token_from(client, "/account/login")
    resp = client.post(
        "/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    return client


def test_cookie_client_needs_csrf_then_apply_and_withdraw(app, make_event, resident):
    event = make_event(selection_mode=SelectionMode.first_come)
    client = _login(app, resident)
    url = f"/api/v1/events/{event.id}/applications"
    assert client.post(url, json=form()).status_code == 403
    headers = {"X-CSRFToken": csrf_token_from(client)}
    bad = client.post(url, json=[1], headers=headers)
    assert bad.status_code == 400 and bad.json["error"]
    resp = client.post(url, json=form(), headers=headers)
    assert resp.status_code == 201 and resp.json["status"] == "confirmed"
    again = client.post(url, json=form(), headers=headers)
    assert again.status_code == 409 and again.json["error"]
    done = client.post(f"/api/v1/events/applications/{resp.json['id']}/withdraw", headers=headers)
    assert done.json["status"] == "withdrawn"
    # The write limit applies to the API too.
    assert client.post(url, json=form(), headers=headers).status_code == 429


def test_bearer_token_needs_no_csrf(make_event, resident, client):
    event = make_event(selection_mode=SelectionMode.first_come)
    token = accounts.issue_api_token(resident)
    db.session.commit()
    resp = client.post(
        f"/api/v1/events/{event.id}/applications",
        json=form(category="public"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 201, resp.json


def test_form_post_without_csrf_is_refused(app, make_event, resident):
    event = make_event(selection_mode=SelectionMode.first_come)
    client = _login(app, resident)
    assert client.post(f"/events/{event.id}/apply", data=form()).status_code in (400, 403)


def test_without_an_identity_every_api_write_is_401_with_a_bearer_challenge(
    make_event, resident, client
):
    event = make_event(selection_mode=SelectionMode.first_come)
    apply_url = f"/api/v1/events/{event.id}/applications"
    withdraw_url = "/api/v1/events/applications/1/withdraw"
    for url in (apply_url, withdraw_url):
        resp = client.post(url, json=form())
        assert resp.status_code == 401 and resp.json["error"]
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="api"'
        resp = client.post(url, json=form(), headers={"Authorization": "Bearer cy_revoked"})
        assert resp.status_code == 401
        assert 'error="invalid_token"' in resp.headers["WWW-Authenticate"]
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0
