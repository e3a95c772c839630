"""Snapshots of hot rows: no query on a hit, dropped by a local change, bounded in age."""

from __future__ import annotations

import time

import sqlalchemy as sa

from participation import accounts, snapshots
from participation.db import db
from participation.models import User
from tests.helpers import run_together


class Statements:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, conn, cursor, statement, *args) -> None:
        self.seen.append(statement)


def _count_statements(app):
    counter = Statements()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    return counter


def test_a_token_lookup_is_a_query_once_then_none(app, make_user):
    user = make_user()
    token = accounts.issue_api_token(user)
    db.session.commit()
    counter = _count_statements(app)
    assert accounts.user_for_api_token(token).id == user.id
    first = len(counter.seen)
    db.session.remove()
    again = accounts.user_for_api_token(token)
    assert again.id == user.id and again.display_name == user.display_name
    assert len(counter.seen) == first  # served from the snapshot
    assert again in db.session  # merged into this request's session, usable as usual


def test_a_revoked_token_or_closed_account_stops_at_once(app, make_user):
    user = make_user()
    token = accounts.issue_api_token(user)
    db.session.commit()
    assert accounts.user_for_api_token(token) is not None
    accounts.issue_api_token(user)  # a new token replaces the old one
    db.session.commit()
    assert accounts.user_for_api_token(token) is None

    other = make_user()
    token = accounts.issue_api_token(other)
    db.session.commit()
    assert accounts.user_for_api_token(token) is not None
    other.active = False
    db.session.commit()
    assert accounts.user_for_api_token(token) is None


def test_a_change_elsewhere_is_seen_after_the_ttl(app, make_user):
    user = make_user(name="旧名字")
    db.session.commit()
    cache = snapshots.SnapshotCache(ttl=0.2)

    def load(session):
        return session.get(User, user.id)

    assert cache.get("u", load).display_name == "旧名字"
    # Another web process writes: no flush in this one, so only the TTL bounds the lag.
    with db.engine.begin() as conn:
        conn.execute(sa.update(User).where(User.id == user.id).values(display_name="新名字"))
    db.session.remove()
    assert cache.get("u", load).display_name == "旧名字"
    time.sleep(0.25)
    db.session.remove()
    assert cache.get("u", load).display_name == "新名字"


def test_misses_are_not_remembered_and_size_is_bounded(app, make_user):
    users = [make_user() for _ in range(3)]
    db.session.commit()
    cache = snapshots.SnapshotCache(ttl=60, maxsize=2)
    calls: list[int] = []

    def loader(user_id):
        def load(session):
            calls.append(user_id)
            return session.get(User, user_id)

        return load

    assert cache.get("missing", loader(10**6)) is None
    assert cache.get("missing", loader(10**6)) is None
    assert calls == [10**6, 10**6]
    for u in users:
        cache.get(u.id, loader(u.id))
    assert len(cache) == 2  # the least recently used snapshot went
    cache.get(users[0].id, loader(users[0].id))
    assert calls[-1] == users[0].id  # evicted, so loaded again


def test_requests_in_flight_wait_for_one_load_instead_of_each_running_it(app, make_user):
    user = make_user()
    db.session.commit()
    cache = snapshots.SnapshotCache(ttl=60)
    calls: list[int] = []

    def slow_load(session):
        calls.append(1)
        time.sleep(0.2)
        return session.get(User, user.id)

    def lookup():
        return cache.get("u", slow_load).id

    assert run_together(app, [lookup] * 8) == [user.id] * 8
    assert len(calls) == 1
