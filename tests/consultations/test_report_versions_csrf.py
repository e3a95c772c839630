"""The report and addendum forms are CSRF-protected."""

from __future__ import annotations

import pytest

from consultations.services import editions
from participation.db import db
from tests.helpers import PASSWORD, csrf_token_from


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _signed_in(client, user):
    token = csrf_token_from(client, "/account/login")
    resp = client.post(
        "/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302
    return client


def test_report_and_addendum_forms_need_the_csrf_token(
    make_consultation, organizer, approver, client, app
):
    c = make_consultation(state="closed")
    _signed_in(client, organizer)
    url = f"/staff/consultations/{c.id}/report"
    assert client.post(url, data={"summary": "总结"}).status_code == 400
    assert editions.latest_edition(c) is None
    token = csrf_token_from(client, url)
    assert client.post(url, data={"summary": "总结", "csrf_token": token}).status_code == 303
    data = {"summary": "总结", "note": "说明", "csrf_token": token}
    assert client.post(url, data=data).status_code == 303
    other = app.test_client()
    _signed_in(other, approver)
    publish = f"/staff/consultations/{c.id}/report/addendum/publish"
    assert other.post(publish).status_code == 400  # refused before anything is checked
    db.session.expire_all()
    assert editions.draft_addendum(c) is not None
    assert "csrf_token" in other.get(url).get_data(as_text=True)
