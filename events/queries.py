"""Reads shared by pages, the API, exports and the decision timeline."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for

from consultations.models import Comment, Decision
from participation.db import db, utcnow
from participation.models import User

from .models import Application, ApplicationStatus, Event, EventKind, EventStatus, RecordEntry


def public_events(kind: str = "", when: str = "upcoming") -> sa.Select:
    query = sa.select(Event).where(Event.status != EventStatus.draft)
    if kind in EventKind.__members__:
        query = query.where(Event.kind == EventKind(kind))
    now = utcnow()
    if when == "past":
        return query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(), Event.id.desc())
    return query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)


def staff_events(user: User) -> sa.Select:
    query = sa.select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if not user.is_admin:
        query = query.where(Event.organization_id.in_(user.organization_ids or {-1}))
    return query


def participants(event: Event) -> list[Application]:
    """Seat holders, by category then name: the list published before the event."""
    order = {c.key: c.position for c in event.categories}
    rows = db.session.scalars(
        sa.select(Application).where(
            Application.event_id == event.id, Application.status == ApplicationStatus.confirmed
        )
    ).all()
    return sorted(rows, key=lambda a: (order.get(a.category_key, 99), a.full_name, a.id))


def status_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Application.status, sa.func.count(Application.id))
        .where(Application.event_id == event.id)
        .group_by(Application.status)
    ).all()
    return {status.value: n for status, n in rows}


def event_applications(event: Event, status: str = "") -> sa.Select:
    query = sa.select(Application).where(Application.event_id == event.id)
    if status in ApplicationStatus.__members__:
        query = query.where(Application.status == ApplicationStatus(status))
    return query.order_by(Application.category_key, Application.applied_at, Application.id)


def my_applications(user: User) -> list[Application]:
    """The person's current application per event (a re-application replaces the
    withdrawn one in this list; the withdrawn one stays on record)."""
    rows = db.session.scalars(
        sa.select(Application)
        .join(Event, Event.id == Application.event_id)
        .where(Application.user_id == user.id)
        .order_by(Event.starts_at.desc(), Application.id.desc())
    )
    latest: dict[int, Application] = {}
    for application in rows:
        latest.setdefault(application.event_id, application)
    return list(latest.values())


def record_with_comments(event: Event) -> list[tuple[RecordEntry, Comment | None]]:
    entries = db.session.scalars(
        sa.select(RecordEntry)
        .where(RecordEntry.event_id == event.id)
        .order_by(RecordEntry.position, RecordEntry.id)
    ).all()
    ids = [e.comment_id for e in entries if e.comment_id]
    comments = (
        {c.id: c for c in db.session.scalars(sa.select(Comment).where(Comment.id.in_(ids)))}
        if ids
        else {}
    )
    return [(e, comments.get(e.comment_id) if e.comment_id else None) for e in entries]


def published_response(comment: Comment | None) -> Any:
    """The published answer to a filed statement, directly or through its group."""
    if comment is None:
        return None
    response = comment.response or (comment.group.response if comment.group else None)
    if response is not None and getattr(response.status, "value", response.status) == "published":
        return response
    return None


def decision_timeline(decision: Decision) -> list[Any]:
    """The "decision.timeline" hook: public events of a decision, for its page."""
    from consultations.timeline import TimelineItem

    events = db.session.scalars(
        sa.select(Event)
        .where(Event.decision_id == decision.id, Event.status != EventStatus.draft)
        .order_by(Event.starts_at)
    ).all()
    return [
        TimelineItem(
            when=e.starts_at,
            kind=e.kind.value,
            title=e.title,
            url=url_for("events.event_detail", event_id=e.id),
            note="cancelled" if e.is_cancelled else "",
        )
        for e in events
    ]


def home_context() -> dict[str, Any]:
    events = db.session.scalars(
        public_events().where(Event.status == EventStatus.published).limit(4)
    ).all()
    return {"home_events": events}
