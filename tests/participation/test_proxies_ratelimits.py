"""Forwarded headers only from trusted proxies; limits per client address (IPv6 /64)
and per account; a 429 says how long to wait."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from participation.db import db
from participation.models import OutboxMail
from participation.proxies import TrustedProxies
from tests.helpers import PASSWORD

PROXY = "10.0.0.1"


def _login(client: Any, email: str, password: str, peer: str, forwarded: str = "") -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/account/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": peer},
        headers=headers,
    ).status_code


def _limits(**extra: Any) -> dict[str, Any]:
    return {
        "RATELIMIT_ENABLED": True,
        "TRUSTED_PROXIES": [PROXY],
        "LOGIN_RATE_LIMIT": "3 per minute",
        "ACCOUNT_RATE_LIMIT": "100 per minute",
        **extra,
    }


class TestPerAddress:
    @pytest.fixture
    def app_config(self):
        return _limits()

    def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(self, client, make_user):
        user = make_user()
        codes = [
            _login(client, user.email, "wrong", "192.0.2.7", forwarded=f"198.51.100.{i}")
            for i in range(4)
        ]
        assert codes == [400, 400, 400, 429]

    def test_forwarded_for_from_the_trusted_proxy_is_the_client(self, client, make_user):
        user = make_user()
        codes = [_login(client, user.email, "wrong", PROXY, "198.51.100.1") for _ in range(4)]
        assert codes == [400, 400, 400, 429]
        # Another visitor behind the same proxy has a budget of their own.
        assert _login(client, user.email, "wrong", PROXY, "198.51.100.2") == 400
        # A client cannot escape by prepending addresses: the proxy's entry is the last.
        spoofed = "203.0.113.5, 198.51.100.1"
        assert _login(client, user.email, "wrong", PROXY, spoofed) == 429

    def test_an_ipv6_slash_64_is_one_client(self, client, make_user):
        user = make_user()
        for host in ("1", "2", "ffff:ffff"):
            _login(client, user.email, "wrong", PROXY, f"2001:db8:1:2::{host}")
        assert _login(client, user.email, "wrong", PROXY, "2001:db8:1:2:aaaa::9") == 429
        assert _login(client, user.email, "wrong", PROXY, "2001:db8:1:3::1") == 400

    def test_ipv4_over_a_dual_stack_socket_is_not_one_ipv6_network(self, client, make_user):
        user = make_user()
        for _ in range(3):
            _login(client, user.email, "wrong", "::ffff:192.0.2.1")
        assert _login(client, user.email, "wrong", "192.0.2.1") == 429  # the same client
        assert _login(client, user.email, "wrong", "::ffff:192.0.2.2") == 400  # not /64 mates

    def test_successful_sign_ins_cost_nothing(self, client, make_user):
        user = make_user()
        codes = [_login(client, user.email, PASSWORD, "192.0.2.8") for _ in range(5)]
        assert codes == [302] * 5


class TestPerAccount:
    @pytest.fixture
    def app_config(self):
        return _limits(LOGIN_RATE_LIMIT="10 per minute", ACCOUNT_RATE_LIMIT="5 per minute")

    def test_ten_failed_logins_for_one_account_do_not_block_another_user(self, client, make_user):
        victim, other = make_user("victim@example.org"), make_user("other@example.org")
        codes = [_login(client, victim.email, "wrong", PROXY, "198.51.100.1") for _ in range(10)]
        assert codes == [400] * 5 + [429] * 5
        # Someone else at the same address (same proxy, same client address) signs in.
        assert _login(app_client(client), other.email, PASSWORD, PROXY, "198.51.100.1") == 302

    def test_one_account_is_not_brute_forced_from_many_addresses(self, client, make_user):
        victim = make_user("victim@example.org")
        codes = [
            _login(client, " Victim@Example.org ", "wrong", PROXY, f"198.51.100.{i}")
            for i in range(6)
        ]
        assert codes == [400] * 5 + [429]
        assert _login(client, victim.email, PASSWORD, PROXY, "203.0.113.9") == 429

    def test_reset_mails_for_one_account_are_limited_across_addresses(self, client, make_user):
        user = make_user("victim@example.org")
        codes = [
            client.post(
                "/account/reset",
                data={"email": user.email},
                environ_base={"REMOTE_ADDR": PROXY},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            ).status_code
            for i in range(7)
        ]
        assert codes == [302] * 5 + [429] * 2
        assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 5

    def test_registration_attempts_for_one_email_are_limited(self, client):
        form = {"email": "taken@example.org", "password": "x", "display_name": "甲"}
        codes = [
            client.post(
                "/account/register",
                data=form,
                environ_base={"REMOTE_ADDR": PROXY},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            ).status_code
            for i in range(6)
        ]
        assert codes[-1] == 429 and 429 not in codes[:5]


def app_client(client: Any) -> Any:
    return client.application.test_client()


class TestWaitMessage:
    @pytest.fixture
    def app_config(self):
        return _limits(LOGIN_RATE_LIMIT="1 per hour")

    @pytest.mark.parametrize(
        ("lang", "text"), [("zh", "请在1小时后再试"), ("en", "Please try again in 1 hour")]
    )
    def test_429_says_how_long_to_wait(self, client, make_user, lang, text):
        user = make_user()
        client.set_cookie("lang", lang)
        _login(client, user.email, "wrong", "192.0.2.9")
        resp = client.post(
            "/account/login",
            data={"email": user.email, "password": "wrong"},
            environ_base={"REMOTE_ADDR": "192.0.2.9"},
        )
        assert resp.status_code == 429
        assert 3500 < int(resp.headers["Retry-After"]) <= 3600
        assert text in resp.get_data(as_text=True)


# ---- the middleware itself -----------------------------------------------------------


def _seen(trusted: list[str], environ: dict[str, str]) -> tuple[str, str]:
    seen: dict[str, str] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(addr=env["REMOTE_ADDR"], scheme=env["wsgi.url_scheme"])
        return []

    TrustedProxies(app, trusted)({"wsgi.url_scheme": "http", **environ}, None)
    return seen["addr"], seen["scheme"]


def test_proxy_chain_is_walked_from_the_right():
    env = {
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7, 10.0.0.2",
        "HTTP_X_FORWARDED_PROTO": "https",
    }
    assert _seen(["10.0.0.0/24"], env) == ("198.51.100.7", "https")
    # Not from a trusted peer: nothing forwarded is believed.
    assert _seen(["10.9.0.0/24"], env) == ("10.0.0.1", "http")
    # Garbage in the header stops the walk at the last address a proxy vouched for.
    env["HTTP_X_FORWARDED_FOR"] = "not-an-address"
    assert _seen(["10.0.0.0/24"], env) == ("10.0.0.1", "https")
