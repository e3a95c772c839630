"""Fixtures for events tests: agencies, people, a decision with a consultation, events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from consultations.models import Consultation
from events.models import Event, EventKind, SelectionMode
from events.services import manage
from participation.db import db, utcnow
from participation.models import Organization, User
from tests.events.factories import make_consultation

RULES = "Stakeholders first; a public lottery within each category if oversubscribed."


@pytest.fixture
def agency(make_org: Callable[..., Organization]) -> Organization:
    return make_org("山东省生态环境厅", name_en="Dept. of Ecology and Environment")


@pytest.fixture
def other_agency(make_org: Callable[..., Organization]) -> Organization:
    return make_org("山东省交通运输厅", name_en="Dept. of Transport")


@pytest.fixture
def organizer(make_user: Callable[..., User], agency: Organization) -> User:
    return make_user("organizer@example.org", org=agency, name="组织者")


@pytest.fixture
def other_organizer(make_user: Callable[..., User], other_agency: Organization) -> User:
    return make_user("other@example.org", org=other_agency, name="别的厅")


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user("resident@example.org", name="居民甲")


@pytest.fixture
def residents(make_user: Callable[..., User]) -> list[User]:
    return [make_user(f"r{i}@example.org", name=f"居民{i}") for i in range(12)]


@pytest.fixture
def consultation(agency: Organization, organizer: User) -> Consultation:
    return make_consultation(agency, organizer)


CATEGORIES = [
    {"key": "stakeholder", "label": "Stakeholders", "seats": 2, "is_stakeholder": True},
    {"key": "public", "label": "Public", "seats": 1, "is_stakeholder": False},
]


@pytest.fixture
def event_data(agency: Organization) -> Callable[..., manage.EventData]:
    def make(**kw: Any) -> manage.EventData:
        now = utcnow()
        values: dict[str, Any] = {
            "kind": EventKind.hearing,
            "title": "大气污染防治条例听证会",
            "organization_id": agency.id,
            "starts_at": now + timedelta(days=20),
            "ends_at": now + timedelta(days=20, hours=3),
            "signup_opens_at": now - timedelta(days=1),
            "signup_closes_at": now + timedelta(days=10),
            "place": "省政府第三会议室",
            "selection_mode": SelectionMode.lottery,
            "selection_rules": RULES,
            "categories": [dict(c) for c in CATEGORIES],
        }
        values.update(kw)
        return manage.EventData(**values)

    return make


@pytest.fixture
def make_event(
    organizer: User, event_data: Callable[..., manage.EventData]
) -> Callable[..., Event]:
    """A published event built through the service (so its rules hold)."""

    def make(publish: bool = True, **kw: Any) -> Event:
        event = manage.create_event(organizer, event_data(**kw))
        if publish:
            manage.publish_event(organizer, event)
        db.session.commit()
        return event

    return make


@pytest.fixture(autouse=True)
def _request_context(app: Any) -> Any:
    """Services translate their messages; the core's locale selector needs a request.

    Tests share one app context, so g outlives requests: work done outside a client
    request (an eager task rendering a mail) could leave an anonymous user in g for the
    next request. Each client request starts from a clean identity, as in production.
    """
    from flask import g

    def _fresh_identity() -> None:
        g.pop("_login_user", None)

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_identity)
    with app.test_request_context("/?lang=en"):
        yield
