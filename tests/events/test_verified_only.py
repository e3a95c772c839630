"""Applying to an event needs a confirmed email address (issue 11)."""

from __future__ import annotations

import sqlalchemy as sa

from events.models import Application
from participation import accounts
from participation.db import db
from tests.events.factories import form


def _applications() -> int:
    return db.session.scalar(sa.select(sa.func.count(Application.id))) or 0


def test_unverified_person_cannot_apply_on_the_site_or_the_api(
    make_event, make_user, login_as, client
):
    event = make_event()
    user = make_user("new@example.org", verified=False)
    resp = login_as(user).post(f"/events/{event.id}/apply?lang=en", data=form())
    assert resp.status_code == 403
    html = resp.get_data(as_text=True)
    assert "confirm your email address" in html and 'action="/account/verify/resend"' in html

    token = accounts.issue_api_token(user)
    db.session.commit()
    resp = client.post(
        f"/api/v1/events/{event.id}/applications?lang=en",
        json=form(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert resp.status_code == 403 and "confirm your email" in resp.get_json()["error"]
    assert _applications() == 0


def test_verified_person_applies(make_event, resident, login_as):
    event = make_event()
    resp = login_as(resident).post(f"/events/{event.id}/apply", data=form())
    assert resp.status_code in (200, 302, 303)
    assert _applications() == 1
