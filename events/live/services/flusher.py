"""Coalesced broadcasts of vote and viewer counts.

Joins mark a session dirty, and so does writing queued votes to the database. One
background task per process wakes every LIVE_FLUSH_INTERVAL seconds, and the process
that wins the tick (a Redis lock across processes) first writes the queued votes in one
transaction (services/votes.py), then reads the counts from the database and emits one
``counts`` event
per dirty room: at most 1/interval broadcasts per room, whatever the click rate and
however many processes serve it. Rooms whose only change is the viewer count (joins,
leaves) are flushed at most every LIVE_VIEWERS_INTERVAL seconds: during the rush of
thousands of joins that is one small broadcast every few seconds, not two a second.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask, current_app

from participation.db import db
from participation.extensions import socketio

from ..models import LiveSession
from . import votes
from .changes import NAMESPACE
from .counting import vote_counts
from .store import get_store

REFRESH_EVERY = 20.0  # seconds between presence refreshes in Redis


def _state(app: Flask) -> dict[str, Any]:
    state = app.extensions.setdefault("live", {})
    state.setdefault("local", {})  # session_id -> {sid: viewer key} in this process
    state.setdefault("lock", threading.Lock())
    return state


def local_viewers(app: Flask | None = None) -> dict[int, dict[str, str]]:
    return _state(app or current_app._get_current_object())["local"]  # type: ignore[attr-defined]


def flush_once(app: Flask | None = None) -> int:
    """Broadcast counts of the dirty sessions if this process holds the tick."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    store = get_store(app)
    if not store.acquire_tick(app.config["LIVE_FLUSH_INTERVAL"]):
        return 0
    votes.persist()  # one transaction for the votes queued since the last tick
    dirty = set(store.pop_dirty("votes"))
    # Viewer counts alone change with every join and leave: they ride along with vote
    # flushes, and on their own go out only every LIVE_VIEWERS_INTERVAL.
    if store.acquire_tick(app.config["LIVE_VIEWERS_INTERVAL"], "viewers-tick"):
        dirty |= set(store.pop_dirty("viewers"))
    sent = 0
    for session_id in sorted(dirty):
        if db.session.get(LiveSession, session_id) is None:
            continue
        payload = {
            "session_id": session_id,
            "at": int(time.time() * 1000),  # server time of the flush, ms since the epoch
            "votes": {str(k): v for k, v in vote_counts(session_id, public_only=True).items()},
            "viewers": store.viewer_count(session_id),
        }
        socketio.emit("counts", payload, to=f"live:{session_id}", namespace=NAMESPACE)
        socketio.emit("counts", payload, to=f"live:{session_id}:mod", namespace=NAMESPACE)
        sent += 1
    return sent


def _run(app: Flask) -> None:
    state = _state(app)
    interval = app.config["LIVE_FLUSH_INTERVAL"]
    since_refresh = 0.0
    while True:
        socketio.sleep(interval)
        since_refresh += interval
        try:
            with app.app_context():
                flush_once(app)
                if since_refresh >= REFRESH_EVERY:
                    since_refresh = 0.0
                    get_store(app).refresh_viewers(
                        {k: set(v.values()) for k, v in state["local"].items()}
                    )
        except Exception:  # a failed flush must not stop the next one
            app.logger.exception("live counts flush failed")
        with state["lock"]:
            if not any(state["local"].values()):
                # Nobody watches here any more; the next join starts a new flusher.
                state["running"] = False
        if not state["running"]:
            with app.app_context():
                votes.persist(wait=2.0)  # queued votes never wait for the next flusher
                flush_once(app)  # the last leave's count still goes out
            return


def ensure_running(app: Flask | None = None) -> None:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("LIVE_BACKGROUND_FLUSH", True):
        return
    state = _state(app)
    with state["lock"]:
        if state.get("running"):
            return
        state["running"] = True
    socketio.start_background_task(_run, app)


def add_local_viewer(session_id: int, sid: str, key: str) -> None:
    """A socket joined: the person it counts as is present (once, however many sockets)."""
    local_viewers().setdefault(session_id, {})[sid] = key
    get_store().add_viewer(session_id, key)


def remove_local_viewer(session_id: int, sid: str) -> None:
    """A socket left: its person is gone when no other socket here counts as them."""
    sockets = local_viewers().get(session_id, {})
    key = sockets.pop(sid, None)
    if key is not None and key not in sockets.values():
        get_store().remove_viewer(session_id, key)
