"""The public viewer count counts people, not sockets (issue 11: 60 anonymous sockets
raised it by 60)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from events.live.services import counting
from events.live.services.store import MemoryStore, RedisStore
from participation.extensions import socketio
from tests.events.live.factories import call


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest, app: Any) -> Iterator[Any]:
    if request.param == "memory":
        s: Any = MemoryStore()
    else:
        s = RedisStore(request.getfixturevalue("redis_url"), f"test-viewers-{uuid.uuid4().hex}")
    app.extensions.setdefault("live", {})["store"] = s
    yield s
    if request.param == "redis":
        keys = list(s.redis.scan_iter(f"{s.prefix}:*"))
        if keys:
            s.redis.delete(*keys)


def _socket(app: Any, flask_client: Any) -> Any:
    client = socketio.test_client(app, flask_test_client=flask_client, namespace="/live")
    assert client.is_connected("/live")
    return client


def _join(client: Any, live: Any) -> None:
    assert call(client, "join", {"session_id": live.id})["ok"]


def test_many_anonymous_sockets_without_a_token_count_once(app, store, live):
    sockets = [_socket(app, app.test_client()) for _ in range(60)]
    for s in sockets:
        _join(s, live)
    assert store.viewer_count(live.id) == 1
    for s in sockets[:59]:
        s.disconnect(namespace="/live")
    assert store.viewer_count(live.id) == 1  # the last one still watches
    sockets[59].disconnect(namespace="/live")
    assert store.viewer_count(live.id) == 0


def test_browsers_with_the_viewer_page_token_count_apart_up_to_the_cap(app, store, live):
    app.config["LIVE_VIEWERS_PER_ADDRESS"] = 5
    browsers = []
    for _ in range(8):  # a script fetching the viewer page again and again
        browser = app.test_client()
        page = browser.get(f"/live/{live.id}")
        assert page.status_code == 200
        assert browser.get_cookie(counting.VIEWER_COOKIE) is not None
        browsers.append(browser)
    for browser in browsers:
        for _ in range(3):  # several tabs of one browser count once
            _join(_socket(app, browser), live)
    # Five browsers on their own, the three beyond the cap together as one.
    assert store.viewer_count(live.id) == 6


def test_forged_tokens_count_as_the_address(app, store, live):
    for n in range(10):
        browser = app.test_client()
        browser.set_cookie(counting.VIEWER_COOKIE, f"forged-{n}")
        _join(_socket(app, browser), live)
    assert store.viewer_count(live.id) == 1


def test_signed_in_people_count_once_each(app, store, live, resident, resident2, login_as):
    for user in (resident, resident, resident2):
        client = login_as(user)
        for _ in range(2):
            _join(_socket(app, client), live)
    assert store.viewer_count(live.id) == 2


def test_ipv6_addresses_of_one_network_share_the_cap():
    assert counting.address_key("2001:db8:1:2::1") == counting.address_key("2001:db8:1:2:ffff::9")
    assert counting.address_key("2001:db8:1:3::1") != counting.address_key("2001:db8:1:2::1")
    assert counting.address_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert counting.address_key("not an address") == "unknown"
