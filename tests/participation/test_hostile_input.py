"""Hostile input gets a clear 4xx at the door (participation/inputs.py), never a 500:
ids beyond the database's integer range, control characters, lone surrogates, JSON
nested too deep, bodies too large. On PostgreSQL each of these was a 500 before."""

from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from participation.db import db
from participation.models import User

HUGE_IDS = (2**31, 2**63, 10**30)


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        ints = [
            name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)
        ]
        if ints and "GET" in rule.methods:
            yield rule, ints


def _fill(rule, values):
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values.get(m.group(1), "x")), rule.rule)


def test_every_int_route_answers_404_for_ids_beyond_the_database(app, client):
    rules = list(_int_rules(app))
    assert len(rules) > 20  # the converter is the app's `int`: every <int:> route uses it
    for rule, names in rules:
        for huge in HUGE_IDS:
            path = _fill(rule, {n: huge for n in names})
            resp = client.get(path)
            assert resp.status_code == 404, (path, resp.status_code)


def test_int_routes_still_match_ids_in_range(app, client):
    assert client.get("/api/v1/events/2147483647").status_code == 404  # no such event
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/api/v1/events/2147483647")[1] == {"event_id": 2147483647}


def test_huge_page_and_year_are_400_with_the_parameter_named(client):
    for path in (
        "/decisions/?page=99999999999999999999",
        "/decisions/?year=99999999999",
        "/decisions/?agency=2147483648",
        "/decisions/?year=²",
        "/api/v1/decisions?per_page=99999999999999999999",
        "/api/v1/events?page=2147483648",
    ):
        resp = client.get(path, headers={"Accept-Language": "en"})
        assert resp.status_code == 400, path
        name = path.split("?")[1].split("=")[0]
        assert name in resp.get_data(as_text=True), path


def test_page_beyond_the_last_is_still_an_empty_or_404_page_not_500(client):
    assert client.get("/api/v1/events?page=2147483647").status_code in (200, 404)


def test_nul_in_registration_name_is_refused_and_nothing_is_stored(client):
    resp = client.post(
        "/account/register?lang=en",
        data={
            "email": "nul@example.org",
            "password": "a long enough passphrase 7",
            "display_name": "张\x00三",
            "consent": "yes",
        },
    )
    assert resp.status_code == 400
    assert "control characters" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "nul@example.org")) is None


def test_control_characters_are_refused_in_zh_too_but_tab_and_newlines_pass(client):
    resp = client.post("/account/login?lang=zh", data={"email": "a\x1b@b.cn", "password": "x"})
    assert resp.status_code == 400
    assert "控制字符" in resp.get_data(as_text=True)
    resp = client.post("/account/login", data={"email": "a@b.cn", "password": "x\ty\r\nz"})
    assert resp.status_code != 400 or "控制字符" not in resp.get_data(as_text=True)


def test_nul_in_a_query_string_search_is_400(client):
    assert client.get("/decisions/?q=%00").status_code == 400


def test_nul_in_a_path_segment_is_404(client):
    assert client.get("/api/v1/receipts/AB%00CD").status_code == 404


def test_lone_surrogate_in_json_is_400_with_the_field_named(client):
    resp = client.post(
        "/api/v1/consultations/1/comments",
        data=b'{"body": "abc \\ud800 def"}',
        content_type="application/json",
    )
    assert resp.status_code == 400
    assert resp.get_json()["field"] == "body"


def test_json_nested_100000_deep_is_400(client):
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100 + b"1" + b"}" * 100):
        resp = client.post(
            "/api/v1/consultations/1/comments", data=body, content_type="application/json"
        )
        assert resp.status_code == 400, resp.data[:200]


def test_twenty_megabyte_body_is_413_with_a_clear_message(client):
    resp = client.post(
        "/account/register?lang=en",
        data=b"x=" + b"a" * (20 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert resp.status_code == 413
    assert "too large: at most 8 MB" in resp.get_data(as_text=True)
    resp = client.post(
        "/api/v1/consultations/1/comments?lang=zh",
        data=b"[" + b"1," * 10**7 + b"1]",
        content_type="application/json",
    )
    assert resp.status_code == 413
    assert resp.get_json()["error"] == "提交的内容过大：最多 8 MB。"
