"""Absolute links come from PUBLIC_URL, never from a forged Host header; production
refuses to start without an https PUBLIC_URL and refuses requests for other hosts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation import create_app
from participation.db import db
from participation.models import OutboxMail
from participation.public_url import ConfigurationError
from tests.helpers import PASSWORD, login

PUBLIC = "https://canyu.example.gov.cn"
FORGED = "http://attacker.example.invalid"


@pytest.fixture
def app_config():
    # No SERVER_NAME, as in a real deployment: only PUBLIC_URL may decide the links.
    return {"SERVER_NAME": None, "PUBLIC_URL": PUBLIC}


def _links(to: str) -> list[str]:
    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == to).order_by(OutboxMail.id.desc())
    ).first()
    assert mail is not None
    return re.findall(r"https?://[^\s\"<]+", mail.body)


def test_reset_mail_links_to_the_configured_host_whatever_the_host_header(app, make_user):
    user = make_user("victim@example.org")
    client = app.test_client()
    resp = client.post("/account/reset", data={"email": user.email}, base_url=FORGED)
    assert resp.status_code == 302
    links = _links(user.email)
    assert any(link.startswith(PUBLIC + "/account/reset/") for link in links)
    assert not any("attacker" in link for link in links)
    # The link works on the real host.
    path = next(link for link in links if "/account/reset/" in link)[len(PUBLIC) :]
    assert client.get(path, base_url=PUBLIC).status_code == 200


def test_verification_mails_link_to_the_configured_host(app, make_user):
    client = app.test_client()
    form = {
        "email": "new@example.org",
        "password": "a-long-password-7",
        "display_name": "新用户",
        "consent": "yes",
    }
    assert client.post("/account/register", data=form, base_url=FORGED).status_code == 302
    links = _links("new@example.org")
    assert any(link.startswith(PUBLIC + "/account/verify/") for link in links)
    assert not any("attacker" in link for link in links)


def test_resent_verification_mail_links_to_the_configured_host(app, make_user):
    user = make_user("unverified@example.org", verified=False)
    client = login(app.test_client(), user)
    # A client can send its cookie with any Host header; the test client needs telling.
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    client.set_cookie(cookie.key, cookie.value, domain="attacker.example.invalid")
    resp = client.post("/account/verify/resend", base_url=FORGED)
    assert resp.status_code == 302, resp.headers
    assert resp.headers["Location"] == "/account/"
    links = _links(user.email)
    assert any(link.startswith(PUBLIC + "/account/verify/") for link in links)
    assert not any("attacker" in link for link in links)


def test_openapi_servers_and_atom_links_ignore_a_forged_host(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json", base_url=FORGED).get_json()
    assert spec["servers"] == [{"url": PUBLIC}]
    feed = client.get("/feeds/feedback.atom", base_url=FORGED).get_data(as_text=True)
    hrefs = re.findall(r'href="([^"]+)"', feed)
    assert hrefs and all(h.startswith(PUBLIC + "/") for h in hrefs)
    assert "attacker" not in feed


def test_relative_links_and_redirects_stay_relative(app):
    resp = app.test_client().get("/account/", base_url=FORGED)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/account/login")


def test_links_outside_a_request_use_the_public_url(app):
    from participation.links import external_url

    assert external_url("accounts.login") == PUBLIC + "/account/login"


# ---- production ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["", "http://canyu.example.gov.cn", "canyu.example.gov.cn"])
def test_production_refuses_to_start_without_an_https_public_url(url):
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        create_app(
            {"DEPLOYMENT": "production", "PUBLIC_URL": url, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return {"SERVER_NAME": None, "DEPLOYMENT": "production", "PUBLIC_URL": PUBLIC}

    def test_requests_for_another_host_are_refused(self, app):
        client = app.test_client()
        assert client.get("/", base_url=PUBLIC).status_code == 200
        resp = client.post("/account/reset", data={"email": "x@example.org"}, base_url=FORGED)
        assert resp.status_code == 400
        assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 0
        assert client.get("/", headers={"Host": "attacker.example.invalid"}).status_code == 400

    def test_cookies_are_secure_and_hsts_is_sent(self, app, make_user):
        user = make_user()
        resp = app.test_client().post(
            "/account/login",
            data={"email": user.email, "password": PASSWORD, "remember": "on"},
            base_url=PUBLIC,
        )
        assert resp.status_code == 302
        cookies = resp.headers.getlist("Set-Cookie")
        assert len(cookies) == 2  # the session and the remember token
        for cookie in cookies:
            assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie
        resp = app.test_client().get("/", base_url=PUBLIC)
        assert resp.headers["Strict-Transport-Security"] == f"max-age={365 * 86400}"


def test_embedded_mode_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
