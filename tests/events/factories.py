"""Helpers that tests import directly: applying, moving an event in time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from consultations.models import Catalogue, Consultation, Decision, DraftVersion, Stage
from events.models import Application, Event
from events.services import applications
from participation.db import db, utcnow
from participation.models import Organization, User


def form(category: str = "stakeholder", **kw: Any) -> dict[str, str]:
    values = {
        "category": category,
        "full_name": "张三",
        "affiliation": "历下区居民",
        "statement": "建议加强对扬尘污染的监管，公开监测数据。",
    }
    values.update(kw)
    return values


def apply(user: User, event: Event, category: str = "stakeholder", **kw: Any) -> Application:
    application = applications.apply(user, event, form(category, full_name=user.display_name, **kw))
    db.session.commit()
    return application


def shift(event: Event, **delta: Any) -> Event:
    """Move all of an event's times by the same amount (negative: into the past)."""
    d = timedelta(**delta)
    for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        setattr(event, name, getattr(event, name) + d)
    db.session.commit()
    return event


def close_signup(event: Event) -> Event:
    """Sign-up closed a minute ago; the event itself still ahead."""
    from participation.db import utcnow

    event.signup_closes_at = utcnow() - timedelta(minutes=1)
    event.signup_opens_at = min(event.signup_opens_at, event.signup_closes_at - timedelta(days=1))
    db.session.commit()
    return event


def start(event: Event) -> Event:
    """The event started ten minutes ago."""
    from participation.db import utcnow

    now = utcnow()
    event.signup_opens_at = now - timedelta(days=30)
    event.signup_closes_at = now - timedelta(days=10)
    event.starts_at = now - timedelta(minutes=10)
    event.ends_at = now + timedelta(hours=2)
    db.session.commit()
    return event


def make_consultation(org: Organization, organizer: User) -> Consultation:
    now = utcnow()
    catalogue = Catalogue(year=now.year, level=org.level, title="目录", published_at=now)
    decision = Decision(
        catalogue=catalogue,
        organization=org,
        title="山东省大气污染防治条例",
        stage=Stage.consulting,
    )
    draft = DraftVersion(
        decision=decision,
        version=1,
        title="征求意见稿",
        explanation="说明",
        published_at=now,
        created_by_id=organizer.id,
    )
    consultation = Consultation(
        decision=decision,
        draft=draft,
        title="征求意见",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=30),
        created_by_id=organizer.id,
    )
    db.session.add_all([catalogue, decision, draft, consultation])
    db.session.commit()
    return consultation
