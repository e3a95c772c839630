"""Every staff action, on real demo data, refused for a resident and for the staff of
another organization; personal actions (an application, a record entry) refused for
anyone but their owner."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from consultations.models import (
    Comment,
    CommentGroup,
    Consultation,
    Decision,
    GroupingJob,
    Response,
)
from events.live.models import LiveSession, Question
from events.models import Application, Event, RecordEntry
from participation import demo
from participation.db import db
from participation.models import User
from tests.helpers import login

GUARDED = [
    r"^/staff/",
    r"^/admin/",
    r"^/events/<int:event_id>/(edit|manage|cancel|materials|moderators|outcome|participants|"
    r"publish|record|selection/(draw|start)|checkin|export)",
    r"^/events/applications/",
    r"^/events/record/",
    r"^/live/<int:session_id>/(console|followups)",
    r"^/live/questions/",
]


def _one(stmt: Any) -> Any:
    return db.session.scalars(stmt.limit(1)).first()


def _org_of(obj: Any) -> int | None:
    """The organization that owns an object, following it up to its decision or event."""
    if isinstance(obj, Decision | Event):
        return obj.organization_id
    if isinstance(obj, Consultation):
        return obj.decision.organization_id
    if isinstance(obj, Comment | CommentGroup | GroupingJob):
        return db.session.get(Consultation, obj.consultation_id).decision.organization_id
    if isinstance(obj, Response):
        return obj.organization_id
    if isinstance(obj, Application | RecordEntry):
        return db.session.get(Event, obj.event_id).organization_id
    if isinstance(obj, LiveSession):
        return db.session.get(Event, obj.event_id).organization_id
    if isinstance(obj, Question):
        return _org_of(db.session.get(LiveSession, obj.session_id))
    return None


def _owner_user_id(obj: Any) -> int | None:
    """The person whose own item this is (an application, their part of a record)."""
    if isinstance(obj, RecordEntry):
        return obj.application.user_id if obj.application else None
    return getattr(obj, "user_id", None)


FINDERS: dict[str, Callable[[], Any]] = {
    "decision_id": lambda: _one(sa.select(Decision).join(Consultation)),
    "consultation_id": lambda: _one(sa.select(Consultation)),
    "comment_id": lambda: _one(sa.select(Comment)),
    "group_id": lambda: _one(sa.select(CommentGroup)),
    "response_id": lambda: _one(sa.select(Response)),
    "job_id": lambda: _one(sa.select(GroupingJob)),
    "event_id": lambda: _one(sa.select(Event)),
    "application_id": lambda: _one(sa.select(Application).where(Application.user_id.isnot(None))),
    "entry_id": lambda: _one(sa.select(RecordEntry)),
    "session_id": lambda: _one(sa.select(LiveSession)),
    "question_id": lambda: _one(sa.select(Question)),
}


@pytest.fixture
def demo_data(app: Any) -> dict[str, User]:
    demo.load()
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    return users


def _url_and_owner(rule: Any) -> tuple[str, int | None, Any]:
    url, owner_org, owner_obj = rule.rule, None, None
    for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule):
        if name == "version":
            value: Any = 1
        elif name in FINDERS:
            obj = FINDERS[name]()
            value = obj.id if obj is not None else 987654  # none in the demo: a plain 404
            if obj is not None:
                owner_org = owner_org or _org_of(obj)
                owner_obj = owner_obj or obj
        else:
            value = 1
        url = re.sub(r"<(?:[^:<>]+:)?" + name + ">", str(value), url)
    return url, owner_org, owner_obj


def test_staff_and_personal_actions_are_refused_to_outsiders(app, demo_data):
    resident = demo_data["resident2@example.cn"]  # applied to nothing that matters here
    transport = demo_data["transport@example.cn"]
    environment = demo_data["organizer@example.cn"]
    (transport_org,) = transport.organization_ids
    checked, failures = 0, []
    for rule in app.url_map.iter_rules():
        if not any(re.match(p, rule.rule) for p in GUARDED):
            continue
        url, owner_org, owner_obj = _url_and_owner(rule)
        outsiders = [resident]
        if owner_org is not None:
            # an organizer of another agency (not the office, whose moderator runs events)
            outsiders.append(transport if owner_org != transport_org else environment)
        owner_user_id = _owner_user_id(owner_obj)
        for user in outsiders:
            if user.id == owner_user_id:
                continue
            client = login(app.test_client(), user, demo.DEMO_PASSWORD)
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                resp = client.open(url, method=method, data={})
                if resp.status_code not in (403, 404):
                    failures.append(f"{method} {url} as {user.email}: {resp.status_code}")
                checked += 1
    assert failures == [], "\n".join(failures)
    assert checked > 60  # the matrix really covers the staff surface
