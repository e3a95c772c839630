"""HEAD requests are GETs without a body on every route (issue 11: HEAD ran the POST
branch of the views that serve a form on GET and act on anything else)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation import demo
from participation.db import db

# Whatever a POST to any of these forms could contain: valid enough to be written.
FORM = {
    "email": "head-probe@example.org",
    "password": "a-long-probe-password-9",
    "display_name": "探测",
    "consent": "yes",
    "text": "HEAD 探测公告",
    "body": "通过 HEAD 请求提交的意见，不应被保存。",
    "title": "HEAD 探测",
    "summary": "HEAD 探测",
    "reason": "HEAD 探测",
    "outcome": "adopted",
    "category": "public",
    "full_name": "探测",
    "code": "ABCDEFGH",
}


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def _form_routes(app) -> list:
    return [r for r in app.url_map.iter_rules() if {"GET", "POST"} <= r.methods]


def _url(rule) -> str:
    return re.sub(r"<(?:int:)?([^>]+)>", "1", rule.rule)


def test_head_to_every_form_route_writes_nothing(app, login_as, make_user):
    assert demo.load()
    db.session.commit()
    admin = make_user(admin=True)
    routes = _form_routes(app)
    assert len(routes) >= 20  # the forms that answer GET and POST on one URL
    before = _row_counts()
    for client in (app.test_client(), login_as(admin)):
        for rule in routes:
            resp = client.head(_url(rule), data=FORM)
            assert resp.status_code < 500, rule.rule
            assert resp.get_data() == b"", rule.rule
    db.session.expire_all()
    assert _row_counts() == before


def test_head_answers_like_get(client):
    get, head = client.get("/account/register"), client.head("/account/register")
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.get_data() == b""
