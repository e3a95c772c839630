"""No overbooking under simultaneous sign-ups and withdrawals on PostgreSQL: threads, each
with its own session and connection, hit the same event at once."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa

from events.models import SEAT_HOLDING, Application, ApplicationStatus, SelectionMode
from events.services import applications
from participation import accounts
from participation.db import db, utcnow
from participation.errors import ServiceError
from participation.models import User
from tests.events.factories import form

pytestmark = pytest.mark.postgres


def _in_thread(
    app: Any, barrier: threading.Barrier, fn: Any, errors: list[Any]
) -> threading.Thread:
    def run() -> None:
        # A fresh app context is a fresh scoped session, hence its own connection.
        with app.app_context(), app.test_request_context("/?lang=en"):
            barrier.wait()
            try:
                fn()
                db.session.commit()
            except ServiceError as exc:
                db.session.rollback()
                errors.append(exc.status)
            finally:
                db.session.remove()

    return threading.Thread(target=run)


def test_simultaneous_signups_and_withdrawals_never_overbook(postgres_url, app, make_event):
    event = make_event(selection_mode=SelectionMode.first_come)  # 2 stakeholder + 1 public
    hashed = accounts.hash_password("x" * 12)
    users = [
        User(
            email=f"c{i}@example.org",
            display_name=f"并发{i}",
            password_hash=hashed,
            email_verified_at=utcnow(),  # applying needs a confirmed address
        )
        for i in range(80)
    ]
    db.session.add_all(users)
    db.session.commit()
    ids = [u.id for u in users]
    event_id = event.id

    def signup(user_id: int, category: str) -> Any:
        def go() -> None:
            from events.models import Event

            user = db.session.get(User, user_id)
            applications.apply(user, db.session.get(Event, event_id), form(category))

        return go

    errors: list[Any] = []
    barrier = threading.Barrier(len(ids))
    threads = [
        _in_thread(app, barrier, signup(uid, "stakeholder" if i % 2 else "public"), errors)
        for i, uid in enumerate(ids)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Application).where(Application.event_id == event_id)).all()
    assert len(rows) == 80  # every applicant exactly once
    held = Counter(a.category_key for a in rows if a.status in SEAT_HOLDING)
    assert held == {"stakeholder": 2, "public": 1}
    for key in ("stakeholder", "public"):
        positions = sorted(
            a.waitlist_position
            for a in rows
            if a.category_key == key and a.status == ApplicationStatus.waitlisted
        )
        assert positions == list(range(1, len(positions) + 1))

    # Everybody holding or waiting withdraws or re-tries at once, plus duplicate sign-ups.
    def withdraw(application_id: int, user_id: int) -> Any:
        def go() -> None:
            applications.withdraw(db.session.get(User, user_id), application_id)

        return go

    confirmed = [a for a in rows if a.status == ApplicationStatus.confirmed]
    waiting = [a for a in rows if a.status == ApplicationStatus.waitlisted][:20]
    jobs = [withdraw(a.id, a.user_id) for a in confirmed + waiting]
    jobs += [signup(uid, "public") for uid in ids[:10]]  # duplicates: refused with 409
    errors = []
    barrier = threading.Barrier(len(jobs))
    threads = [_in_thread(app, barrier, job, errors) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Counter(errors) == {409: 10}
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Application).where(Application.event_id == event_id)).all()
    assert len(rows) == 80
    held = Counter(a.category_key for a in rows if a.status in SEAT_HOLDING)
    # Freed seats went straight to the next people waiting: full again, never over.
    assert held == {"stakeholder": 2, "public": 1}
    assert all(a.offer_expires_at for a in rows if a.status == ApplicationStatus.offered)


def test_simultaneous_reapplications_after_withdrawal_make_one_application(
    postgres_url, app, make_event
):
    """A person who withdrew submits the form again from several tabs at once while
    others sign up: one new application for them, at the back, and no overbooking."""
    event = make_event(selection_mode=SelectionMode.first_come)  # 1 public seat
    hashed = accounts.hash_password("x" * 12)
    users = [
        User(
            email=f"r{i}@example.org",
            display_name=f"重报{i}",
            password_hash=hashed,
            email_verified_at=utcnow(),
        )
        for i in range(21)
    ]
    db.session.add_all(users)
    db.session.commit()
    ids = [u.id for u in users]
    event_id = event.id
    first = applications.apply(users[0], event, form("public"))
    db.session.commit()
    applications.withdraw(users[0], first.id)
    db.session.commit()

    def signup(user_id: int) -> Any:
        def go() -> None:
            from events.models import Event

            user = db.session.get(User, user_id)
            applications.apply(user, db.session.get(Event, event_id), form("public"))

        return go

    jobs = [signup(ids[0]) for _ in range(10)] + [signup(uid) for uid in ids[1:]]
    errors: list[Any] = []
    barrier = threading.Barrier(len(jobs))
    threads = [_in_thread(app, barrier, job, errors) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Counter(errors) == {409: 9}  # the other tabs are told they already applied
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Application).where(Application.event_id == event_id)).all()
    mine = [a for a in rows if a.user_id == ids[0]]
    assert len(mine) == 2
    assert sum(a.status != ApplicationStatus.withdrawn for a in mine) == 1
    assert len(rows) == 22
    assert sum(a.status in SEAT_HOLDING for a in rows) == 1
    positions = sorted(
        a.waitlist_position for a in rows if a.status == ApplicationStatus.waitlisted
    )
    assert positions == list(range(1, 21))
