"""Short-lived copies of rarely changing rows for the hottest write path.

At a few hundred comments a second, looking up the same API token and the same
consultation in the database for every request cost as much CPU as storing the
comment. A snapshot is loaded once, kept detached for a few seconds, and merged into
the request's session without a query (``Session.merge(load=False)``).

How stale a snapshot can be, and why that is safe:
- In this process, a flush that changes a snapshotted row (or a row loaded with it)
  drops the snapshot at once, so a change is seen by the next request.
- Other web processes see it within ``ttl`` seconds (2 s for consultations, 30 s for
  API tokens), the time a revoked token or a moved deadline may lag there.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from .db import db

T = TypeVar("T")
Identity = tuple[type, Any]


class SnapshotCache:
    def __init__(self, ttl: float, maxsize: int = 10_000) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        # key -> (expires, detached object or None, identities it was built from)
        self._entries: OrderedDict[Any, tuple[float, Any, frozenset[Identity]]] = OrderedDict()
        self._keys_by_identity: dict[Identity, set[Any]] = {}
        # One load per key at a time: when a snapshot expires under load, the hundreds of
        # requests in flight wait for one query instead of each running it.
        self._loading: dict[Any, threading.Event] = {}
        self._generation = 0  # bumped by forget(), so a load racing a change is not kept
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[Session], T | None], *, merge: bool = True) -> T | None:
        """The object for key, in the request's session; load(session) on a miss.
        A miss that finds nothing is not remembered.

        merge=False returns the shared detached copy itself, for a caller that only reads
        what load() loaded: cheaper, but a lazy load on it raises DetachedInstanceError
        and it must never be changed."""
        now = time.monotonic()
        loading: threading.Event | None = None
        leader = False
        with self._lock:
            entry = self._entries.get(key)
            fresh = entry is not None and entry[0] > now
            if fresh:
                self._entries.move_to_end(key)
            else:
                loading = self._loading.get(key)
                leader = loading is None
                if leader:
                    loading = self._loading[key] = threading.Event()
        if not fresh:
            assert loading is not None
            if leader:
                try:
                    entry = self._load(key, load, now)
                finally:
                    with self._lock:
                        del self._loading[key]
                    loading.set()
            else:
                loading.wait(timeout=10)
                with self._lock:
                    entry = self._entries.get(key)
                if entry is None or entry[0] <= now:  # the leader found nothing, failed
                    entry = self._load(key, load, now)  # or raced a change: our own load
        assert entry is not None
        obj = entry[1]
        if obj is None or not merge:
            return obj
        return db.session.merge(obj, load=False)

    def _load(self, key: Any, load: Callable[[Session], Any], now: float) -> Any:
        generation = self._generation
        # Its own short session: the snapshot must not expire with the request's commit.
        with Session(db.engine, expire_on_commit=False) as session:
            obj = load(session)
            identities = frozenset(_identities(session))
            session.expunge_all()
        entry = (now + self.ttl, obj, identities)
        if obj is None or generation != self._generation:
            return entry
        with self._lock:
            self._drop(key)
            self._entries[key] = entry
            for identity in identities:
                self._keys_by_identity.setdefault(identity, set()).add(key)
            while len(self._entries) > self.maxsize:
                self._drop(next(iter(self._entries)))
        return entry

    def _drop(self, key: Any) -> None:
        entry = self._entries.pop(key, None)
        for identity in entry[2] if entry else ():
            keys = self._keys_by_identity.get(identity)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_identity[identity]

    def forget(self, changed: set[Identity]) -> None:
        """Drop every snapshot built from one of these rows."""
        with self._lock:
            self._generation += 1
            for identity in changed:
                for key in list(self._keys_by_identity.get(identity, ())):
                    self._drop(key)

    def __len__(self) -> int:
        return len(self._entries)


def _identity(obj: Any) -> Identity:
    state = sa.inspect(obj)
    return (state.mapper.class_, state.identity)


def _identities(session: Session) -> set[Identity]:
    return {_identity(obj) for obj in session.identity_map.values()}


def cache(name: str, ttl: float, app: Flask | None = None) -> SnapshotCache:
    """The app's cache of that name (one per app, so tests never share snapshots)."""
    caches = (app or current_app).extensions.setdefault("snapshots", {})
    if name not in caches:
        caches[name] = SnapshotCache(ttl)
    return caches[name]


@sa.event.listens_for(Session, "after_flush")
def _forget_changed(session: Session, flush_context: Any) -> None:
    caches = current_app.extensions.get("snapshots") if has_app_context() else None
    if not caches:
        return
    changed = {_identity(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    if changed:
        for snapshots in caches.values():
            snapshots.forget(changed)
