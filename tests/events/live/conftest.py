"""Fixtures for the live Q&A: a running open-day session, its people, socket clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from events.live.models import LiveSession
from participation.extensions import socketio
from participation.models import Organization, User
from tests.events.live.factories import add_moderator, make_event, make_session


@pytest.fixture
def app_config() -> dict[str, Any]:
    # Deterministic counts: tests call flush_once themselves.
    return {"LIVE_BACKGROUND_FLUSH": False}


@pytest.fixture
def agency(make_org: Callable[..., Organization]) -> Organization:
    return make_org("山东省生态环境厅", name_en="Dept. of Ecology and Environment")


@pytest.fixture
def organizer(make_user: Callable[..., User], agency: Organization) -> User:
    return make_user("organizer@example.org", org=agency, name="组织者")


@pytest.fixture
def moderator(make_user: Callable[..., User]) -> User:
    return make_user("mod@example.org", name="主持人")


@pytest.fixture
def moderator2(make_user: Callable[..., User]) -> User:
    return make_user("mod2@example.org", name="主持人二")


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user("res@example.org", name="居民甲")


@pytest.fixture
def resident2(make_user: Callable[..., User]) -> User:
    return make_user("res2@example.org", name="居民乙")


@pytest.fixture
def event(agency: Organization, organizer: User, moderator: User, moderator2: User) -> Any:
    ev = make_event(agency, created_by_id=organizer.id)
    add_moderator(ev, moderator)
    add_moderator(ev, moderator2)
    return ev


@pytest.fixture
def live(event: Any) -> LiveSession:
    return make_session(event)


@pytest.fixture
def sio(app: Any, login_as: Callable[[User], Any]) -> Callable[..., Any]:
    """A Socket.IO test client on /live carrying a user's Flask-Login session."""

    def connect(user: User | None = None) -> Any:
        flask_client = login_as(user) if user is not None else app.test_client()
        client = socketio.test_client(app, flask_test_client=flask_client, namespace="/live")
        assert client.is_connected("/live")
        return client

    return connect
