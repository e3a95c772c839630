"""The /live Socket.IO namespace: thin handlers over the services (docs/realtime.md).

Anyone may connect and watch; every write checks permissions in its service, on
every event. Each handler answers through its ack: ``{"ok": true, ...}`` or
``{"ok": false, "error", "status", "field"}``; nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from participation.db import db
from participation.errors import ServiceError
from participation.extensions import socketio

from . import payloads as p
from . import queries
from .services import control, moderation, questions
from .services.access import get_session, require_moderator
from .services.changes import NAMESPACE, user_room
from .services.counting import VIEWER_COOKIE, viewer_key
from .services.flusher import add_local_viewer, ensure_running, remove_local_viewer
from .services.store import get_store

MAX_ROOMS_PER_CONNECTION = 3
MOD_ACTIONS = ("approve", "reject", "edit", "merge", "screen", "answer", "assign")
CONTROL_ACTIONS = ("go_live", "pause", "end", "qa", "ban", "unban", "links")


def _user() -> Any:
    return current_user if getattr(current_user, "is_authenticated", False) else None


def _throttled(cost_key: str) -> bool:
    """Token buckets per connection and per account (in Redis across processes)."""
    cfg = current_app.config
    store = get_store()
    rate, burst = cfg["LIVE_EVENTS_PER_SECOND"], cfg["LIVE_EVENT_BURST"]
    if not store.take(f"sid:{request.sid}", burst, rate):
        return True
    # The account id from the signed session, not current_user: loading the user here
    # would hold a database connection across the Redis round trip.
    user_id = session.get("_user_id")
    return user_id is not None and not store.take(f"user:{user_id}", burst * 2, rate * 2)


def _error(message: str, status: int, field: str | None = None) -> dict[str, Any]:
    return {"ok": False, "error": message, "status": status, "field": field}


def _handle(event: str, fn: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    if _throttled(event):
        return _error(_("You are sending too fast. Please wait a moment."), 429)
    try:
        result = fn() or {}
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _error(exc.message, exc.status, exc.field)
    except StaleDataError:
        db.session.rollback()
        return _error(
            _("Another moderator has just changed this question. Please look at it again."), 409
        )
    except IntegrityError:
        db.session.rollback()
        return _error(_("This was changed at the same time elsewhere. Please try again."), 409)
    except Exception:  # a bug must still answer the ack, or the client waits forever
        current_app.logger.exception("live event %s failed", event)
        db.session.rollback()
        return _error(_("Something went wrong on our side. Please try again later."), 500)
    return {"ok": True, **result}


def _joined() -> dict[str, set[int]]:
    return current_app.extensions.setdefault("live", {}).setdefault("joined", {})


class LiveNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> bool:
        return True  # watching needs no account; writes check identity per event

    def on_disconnect(self, *args: Any) -> None:
        sid = request.sid
        for session_id in _joined().pop(sid, set()):
            remove_local_viewer(session_id, sid)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            d = p.as_dict(data)
            session_id = p.get_int(d, "session_id")
            as_moderator = p.get_bool(d, "moderator")
            user = _user()
            session = get_session(session_id, user)  # type: ignore[arg-type]
            if as_moderator:
                require_moderator(user, session)
            rooms = _joined().setdefault(request.sid, set())
            if session.id not in rooms and len(rooms) >= MAX_ROOMS_PER_CONNECTION:
                raise ServiceError(_("Too many sessions open on one connection."))
            join_room(session.room)
            if user is not None:
                join_room(user_room(session.id, user.id))
            if as_moderator:
                join_room(session.mod_room)
            if session.id not in rooms:
                rooms.add(session.id)
                key = viewer_key(
                    session.id, user, request.cookies.get(VIEWER_COOKIE), request.remote_addr
                )
                add_local_viewer(session.id, request.sid, key)
                ensure_running()
            out = {"snapshot": queries.snapshot(session, user)}
            if as_moderator:
                out["mod_snapshot"] = queries.mod_snapshot(session)
            return out

        return _handle("join", run)

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            session_id = p.get_int(p.as_dict(data), "session_id")
            if session_id in _joined().get(request.sid, set()):
                _joined()[request.sid].discard(session_id)
                remove_local_viewer(session_id, request.sid)
                for room in (f"live:{session_id}", f"live:{session_id}:mod"):
                    leave_room(room)
            return {}

        return _handle("leave", run)

    def on_snapshot(self, data: Any = None) -> dict[str, Any]:
        """A client that saw a version gap asks for the whole state again."""

        def run() -> dict[str, Any]:
            d = p.as_dict(data)
            session_id = p.get_int(d, "session_id")
            user = _user()
            session = get_session(session_id, user)  # type: ignore[arg-type]
            if p.get_bool(d, "moderator"):
                require_moderator(user, session)
                return {"mod_snapshot": queries.mod_snapshot(session)}
            return {"snapshot": queries.snapshot(session, user)}

        return _handle("snapshot", run)

    def on_ask(self, data: Any = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            d = p.as_dict(data)
            q = questions.ask(
                _user(),
                p.get_int(d, "session_id"),  # type: ignore[arg-type]
                p.get_str(d, "body", 2000, required=True),
                name=p.get_str(d, "name", 60),
                anonymous=p.get_bool(d, "anonymous"),
            )
            return {"question": {"id": q.id, "status": q.status.value}}

        return _handle("ask", run)

    def on_vote(self, data: Any = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            d = p.as_dict(data)
            qid, on = p.get_int(d, "question_id"), p.get_bool(d, "on", True)
            count = questions.vote(_user(), qid, on)  # type: ignore[arg-type]
            ensure_running()  # writes the queued votes even where nobody watches
            return {"question_id": qid, "votes": count, "voted": on}

        return _handle("vote", run)

    def on_moderate(self, data: Any = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            d = p.as_dict(data)
            action = d.get("action")
            if action not in MOD_ACTIONS:
                raise ServiceError(_("Unknown action."), field="action")
            user = _user()
            rev = p.get_int(d, "rev", required=action != "screen")
            if action == "screen":
                session_id = p.get_int(d, "session_id")
                qid = p.get_int(d, "question_id", required=False)
                moderation.put_on_screen(user, qid, rev, session_id)  # type: ignore[arg-type]
                return {}
            qid = p.get_int(d, "question_id")
            if action == "approve":
                moderation.approve(user, qid, rev)  # type: ignore[arg-type]
            elif action == "reject":
                moderation.reject(user, qid, rev, p.get_str(d, "reason", 500))  # type: ignore[arg-type]
            elif action == "edit":
                moderation.edit(user, qid, rev, p.get_str(d, "body", 2000, required=True))  # type: ignore[arg-type]
            elif action == "merge":
                moderation.merge(user, qid, rev, p.get_int(d, "into"))  # type: ignore[arg-type]
            elif action == "answer":
                moderation.answer(
                    user,  # type: ignore[arg-type]
                    qid,  # type: ignore[arg-type]
                    rev,
                    p.get_str(d, "answer", 4000, required=True),
                    p.get_str(d, "official", 120, required=True),
                )
            elif action == "assign":
                moderation.assign(
                    user,  # type: ignore[arg-type]
                    qid,  # type: ignore[arg-type]
                    rev,
                    p.get_int(d, "department_id"),  # type: ignore[arg-type]
                    p.get_date(d, "due_on"),
                )
            return {}

        return _handle("moderate", run)

    def on_control(self, data: Any = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            d = p.as_dict(data)
            action = d.get("action")
            if action not in CONTROL_ACTIONS:
                raise ServiceError(_("Unknown action."), field="action")
            user = _user()
            session_id = p.get_int(d, "session_id")
            if action == "qa":
                control.set_qa_state(user, session_id, p.get_str(d, "state", 20))  # type: ignore[arg-type]
            elif action == "ban":
                control.ban(user, session_id, p.get_int(d, "user_id"), p.get_str(d, "reason", 300))  # type: ignore[arg-type]
            elif action == "links":
                control.update_links(
                    user,
                    session_id,  # type: ignore[arg-type]
                    stream_url=p.get_str(d, "stream_url", 500),
                    replay_url=p.get_str(d, "replay_url", 500),
                )
            elif action == "unban":
                control.unban(user, session_id, p.get_int(d, "user_id"))  # type: ignore[arg-type]
            else:
                control.set_state(user, session_id, action)  # type: ignore[arg-type]
            return {}

        return _handle("control", run)


def register() -> None:
    socketio.on_namespace(LiveNamespace(NAMESPACE))
