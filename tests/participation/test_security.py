"""Cross-cutting guards: CSRF on every form, permissions on every staff page, headers,
error pages in the user's language, rate limits."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from tests.helpers import PASSWORD, login


def _concrete(rule: Rule) -> str:
    # Fill every URL variable with a plausible value; guards must refuse before lookup.
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", "1", rule.rule)


def _rules(app, method: str, prefixes: tuple[str, ...] = ("/",)) -> list[Rule]:
    return [
        r
        for r in app.url_map.iter_rules()
        if method in (r.methods or set())
        and r.rule.startswith(prefixes)
        and not r.rule.startswith("/static")
    ]


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_every_form_post_without_token_is_refused(self, app, client, make_user):
        login_rules = {"/account/login"}
        posts = [r for r in _rules(app, "POST") if not r.rule.startswith("/api/")]
        assert len(posts) >= 8  # the guard below really covers the forms
        for rule in posts:
            if rule.rule in login_rules:
                continue
            resp = client.post(_concrete(rule), data={"x": "1"})
            assert resp.status_code == 400, rule.rule

    def test_login_form_without_token_is_refused(self, client, make_user):
        user = make_user()
        resp = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
        assert resp.status_code == 400
        assert "表单已过期" in resp.get_data(as_text=True) or "expired" in resp.get_data(
            as_text=True
        )

    def test_api_write_with_cookie_needs_csrf_header(self, app, client, make_user):
        login_client = app.test_client()
        user = make_user()
        page = login_client.get("/account/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        resp = login_client.post(
            "/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert resp.status_code == 302
        api_posts = _rules(app, "POST", ("/api/",))
        for rule in api_posts:
            resp = login_client.post(_concrete(rule), json={})
            assert resp.status_code == 403, rule.rule
            assert resp.is_json


def test_staff_pages_refuse_residents_and_anonymous(app, client, make_user):
    resident = make_user()
    staff_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(("/admin", "/staff"))]
    assert staff_rules
    signed_in = login(app.test_client(), resident)
    for rule in staff_rules:
        for method in ("GET", "POST"):
            if method not in (rule.methods or set()):
                continue
            url = _concrete(rule)
            anon = client.open(url, method=method)
            assert anon.status_code in (302, 401, 403, 404), (method, rule.rule)
            if anon.status_code == 302:
                assert "/account/login" in anon.headers["Location"]
            res = signed_in.open(url, method=method)
            assert res.status_code in (403, 404), (method, rule.rule, res.status_code)


def test_security_headers(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_have_no_inline_scripts(client):
    # The CSP forbids them, so an inline script would silently not run.
    html = client.get("/").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag


@pytest.mark.parametrize("lang,text", [("zh", "您访问的页面不存在"), ("en", "does not exist")])
def test_error_pages_speak_the_users_language(client, lang, text):
    resp = client.get(f"/no/such/page?lang={lang}")
    assert resp.status_code == 404
    assert text in resp.get_data(as_text=True)


def test_api_errors_are_json(client):
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404 and resp.is_json
    assert resp.get_json()["status"] == 404


class TestRateLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_attempts_are_limited(self, client, make_user):
        user = make_user()
        codes = [
            client.post("/account/login", data={"email": user.email, "password": "x"}).status_code
            for _ in range(4)
        ]
        assert codes == [400, 400, 400, 429]
        resp = client.post(
            "/account/login?lang=en", data={"email": user.email, "password": PASSWORD}
        )
        assert resp.status_code == 429
        assert "Too many attempts. Please try again in 1 minute." in resp.get_data(as_text=True)


def test_open_redirect_refused_on_prefs(client):
    resp = client.post("/prefs", data={"large": "on", "next": "//evil.example/x"})
    assert resp.headers["Location"] == "/"
    resp = client.post("/prefs", data={"large": "on", "next": "/account/login"})
    assert resp.headers["Location"] == "/account/login"
    assert "large" in resp.headers["Set-Cookie"]


def test_large_text_and_high_contrast_modes(client):
    client.post("/prefs", data={"large": "on", "contrast": "on"})
    html = client.get("/").get_data(as_text=True)
    assert 'class="a11y-large a11y-contrast"' in html
    client.post("/prefs", data={"large": "off"})
    html = client.get("/").get_data(as_text=True)
    assert "a11y-large" not in html and "a11y-contrast" in html


def test_unexpected_error_gives_a_500_page_in_the_users_language(app):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("bug")

    client = app.test_client()
    resp = client.get("/boom-for-test")
    assert resp.status_code == 500
    assert "系统出现故障" in resp.get_data(as_text=True)
    assert "RuntimeError" not in resp.get_data(as_text=True)  # no internals shown
