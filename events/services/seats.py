"""Seat accounting under concurrency: the event row is the lock.

Every write that can change who holds a seat starts with `lock_event`, a conditional
UPDATE of the event's `lock_version`. On PostgreSQL it takes the row lock (as SELECT ... FOR
UPDATE would) until commit; on SQLite it takes the database write lock at once, before any
read of the counts. So the counts read afterwards cannot change under us and no category
ever holds more seats than its quota.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from participation.db import db, utcnow
from participation.errors import NotFound

from ..models import SEAT_HOLDING, Application, ApplicationStatus, Event, EventCategory, EventStatus


def lock_event(event_id: int) -> Event:
    """Serialise seat-changing writes of one event; returns the fresh event row."""
    db.session.flush()
    result = db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(lock_version=Event.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise NotFound(_("This event does not exist."))
    event = db.session.get(Event, event_id, populate_existing=True)
    assert event is not None
    return event


def held_seats(event_id: int, category_key: str | None = None) -> int:
    query = sa.select(sa.func.count(Application.id)).where(
        Application.event_id == event_id, Application.status.in_(SEAT_HOLDING)
    )
    if category_key is not None:
        query = query.where(Application.category_key == category_key)
    return db.session.scalar(query) or 0


def held_by_category(event_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Application.category_key, sa.func.count(Application.id))
        .where(Application.event_id == event_id, Application.status.in_(SEAT_HOLDING))
        .group_by(Application.category_key)
    ).all()
    return {key: n for key, n in rows}


def lock_open_event(event_id: int, now: datetime) -> bool:
    """The sign-up path's lock: one conditional UPDATE that also re-checks, under the lock,
    that sign-up is still open (a cancellation or a changed window may have just landed)."""
    db.session.flush()
    result = db.session.execute(
        sa.update(Event)
        .where(
            Event.id == event_id,
            Event.status == EventStatus.published,
            Event.signup_opens_at <= now,
            Event.signup_closes_at > now,
            Event.starts_at > now,
        )
        .values(lock_version=Event.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def category_state(event_id: int, category_key: str) -> tuple[int, int, int]:
    """(quota, seats held, last waitlist position) of a category in one round trip."""
    of_category = (Application.event_id == event_id) & (Application.category_key == category_key)
    held = (
        sa.select(sa.func.count(Application.id))
        .where(of_category, Application.status.in_(SEAT_HOLDING))
        .scalar_subquery()
    )
    last = (
        sa.select(sa.func.max(Application.waitlist_position)).where(of_category).scalar_subquery()
    )
    quota, n_held, n_last = db.session.execute(
        sa.select(EventCategory.seats, held, last).where(
            EventCategory.event_id == event_id, EventCategory.key == category_key
        )
    ).one()
    return quota, n_held or 0, n_last or 0


def next_waitlist_position(event_id: int, category_key: str) -> int:
    last = db.session.scalar(
        sa.select(sa.func.max(Application.waitlist_position)).where(
            Application.event_id == event_id, Application.category_key == category_key
        )
    )
    return (last or 0) + 1


def offer_deadline(event: Event, now: datetime) -> datetime:
    hours = current_app.config.get("EVENT_OFFER_HOURS", 48)
    return min(now + timedelta(hours=hours), event.starts_at)


def fill_free_seats(event: Event, category_key: str, now: datetime | None = None) -> list[int]:
    """Offer free seats of a category to the waitlist, in order. Caller holds the lock.

    Returns the ids of the applications that received an offer.
    """
    now = now or utcnow()
    category = event.category(category_key)
    if category is None or event.is_cancelled or event.has_started(now):
        return []
    free = category.seats - held_seats(event.id, category_key)
    if free <= 0:
        return []
    waiting = db.session.scalars(
        sa.select(Application)
        .where(
            Application.event_id == event.id,
            Application.category_key == category_key,
            Application.status == ApplicationStatus.waitlisted,
        )
        .order_by(Application.waitlist_position, Application.id)
        .limit(free)
    ).all()
    deadline = offer_deadline(event, now)
    for application in waiting:
        application.status = ApplicationStatus.offered
        application.offer_expires_at = deadline
    db.session.flush()
    return [a.id for a in waiting]
