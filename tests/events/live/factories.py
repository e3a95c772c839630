"""Builders for live Q&A tests: an open-day event, its session, people and questions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from consultations.models import Decision
from events.live.models import LiveSession, Question, QuestionStatus, SessionState
from events.models import Event, EventKind, EventModerator, EventStatus
from participation.db import db, utcnow
from participation.models import Organization, User
from tests.events.factories import make_consultation  # noqa: F401  (re-exported)


def make_event(org: Organization, *, decision: Decision | None = None, **kw: Any) -> Event:
    now = utcnow()
    event = Event(
        kind=EventKind.open_day,
        title=kw.pop("title", "政府开放日"),
        organization_id=org.id,
        decision_id=decision.id if decision else None,
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        signup_opens_at=now - timedelta(days=10),
        signup_closes_at=now - timedelta(days=1),
        status=kw.pop("status", EventStatus.published),
        **kw,
    )
    db.session.add(event)
    db.session.commit()
    return event


def make_session(event: Event, **kw: Any) -> LiveSession:
    session = LiveSession(
        event_id=event.id,
        title=kw.pop("title", "直播问政"),
        scheduled_at=kw.pop("scheduled_at", utcnow()),
        state=kw.pop("state", SessionState.live),
        went_live_at=kw.pop("went_live_at", utcnow() - timedelta(minutes=10)),
        stream_url=kw.pop("stream_url", "https://example.gov.cn/live.m3u8"),
        **kw,
    )
    db.session.add(session)
    db.session.commit()
    return session


def add_moderator(event: Event, user: User) -> None:
    db.session.add(EventModerator(event_id=event.id, user_id=user.id))
    db.session.commit()


def add_question(session: LiveSession, author: User, body: str = "请问何时公布结果？", **kw: Any):
    q = Question(
        session_id=session.id,
        author_id=author.id,
        author_label=kw.pop("author_label", author.display_name),
        original_body=body,
        body=body,
        published_body=body,
        status=kw.pop("status", QuestionStatus.approved),
        **kw,
    )
    db.session.add(q)
    db.session.commit()
    return q


def call(client: Any, event: str, payload: Any) -> dict[str, Any]:
    """Emit with an ack and return it."""
    return client.emit(event, payload, namespace="/live", callback=True)


def received(client: Any, name: str) -> list[dict[str, Any]]:
    return [m["args"][0] for m in client.get_received("/live") if m["name"] == name]
