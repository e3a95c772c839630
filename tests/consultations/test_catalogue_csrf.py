"""Organizer writes in the catalogue are CSRF-protected and rate-limited."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consultations.models import Decision, DecisionAdjustment
from participation.db import db, utcnow
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


def _form_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF field"
    return match.group(1)


def test_adjustment_without_csrf_token_is_refused(make_decision, organizer, client):
    d = make_decision(title="旧标题")
    _signed_in(client, organizer)
    data = {"title": "新标题", "stage": d.stage.value, "reason": "名称调整，与上位法一致。"}
    assert client.post(f"/staff/decisions/{d.id}/edit", data=data).status_code == 400
    assert db.session.get(Decision, d.id).title == "旧标题"

    token = _form_token(client, f"/staff/decisions/{d.id}/edit")
    resp = client.post(f"/staff/decisions/{d.id}/edit", data={**data, "csrf_token": token})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(Decision, d.id).title == "新标题"


def test_organizer_writes_are_rate_limited(agency, organizer, client):
    _signed_in(client, organizer)
    token = _form_token(client, "/staff/decisions/new")
    codes = [
        client.post(
            "/staff/decisions/new",
            data={
                "csrf_token": token,
                "organization_id": agency.id,
                "year": utcnow().year,
                "title": f"事项{i}",
                "stage": "planned",
            },
        ).status_code
        for i in range(4)
    ]
    assert codes == [303, 303, 303, 429]
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 3
    assert db.session.scalar(sa.select(sa.func.count(DecisionAdjustment.id))) == 3
