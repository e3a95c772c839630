"""Versioned deltas: bump the session's counters and emit after the commit.

Every change bumps ``mod_version`` (moderators see everything) and, when viewers can
see it, ``version``. The bump is one UPDATE ... RETURNING, so on PostgreSQL it also
row-locks the session until commit: versions follow commit order, and a client that
sees a gap asks for a snapshot (docs/realtime.md).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from participation.db import after_commit, db
from participation.extensions import socketio

from ..models import LiveSession, Question
from . import serialize, votes
from .counting import vote_count

NAMESPACE = "/live"


def user_room(session_id: int, user_id: int) -> str:
    return f"live:{session_id}:user:{user_id}"


def bump(session_id: int, *, public: bool) -> tuple[int, int]:
    row = db.session.execute(
        sa.update(LiveSession)
        .where(LiveSession.id == session_id)
        .values(
            version=LiveSession.version + (1 if public else 0),
            mod_version=LiveSession.mod_version + 1,
        )
        .returning(LiveSession.version, LiveSession.mod_version),
        execution_options={"synchronize_session": False},
    ).one()
    return int(row[0]), int(row[1])


class Changes:
    """Collect what one action changed, then publish it once, after the commit."""

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self.questions: dict[int, tuple[Question, bool]] = {}
        self.session_changed = False
        self.notices: list[tuple[int, dict[str, Any]]] = []
        self.bans_changed = False

    def question(self, q: Question, *, was_public: bool) -> Changes:
        self.questions[q.id] = (q, was_public)
        return self

    def session_state(self) -> Changes:
        self.session_changed = True
        return self

    def bans(self) -> Changes:
        self.bans_changed = True
        return self

    def notify_author(self, q: Question) -> Changes:
        if q.author_id:
            self.notices.append((q.author_id, serialize.own_question(q)))
        return self

    def publish(self) -> tuple[int, int]:
        db.session.flush()
        s = self.session
        public = self.session_changed or any(
            q.is_public or was for q, was in self.questions.values()
        )
        version, mod_version = bump(s.id, public=public)
        counts = {qid: vote_count(qid) for qid in self.questions}
        pub: dict[str, Any] = {"session_id": s.id, "v": version}
        mod: dict[str, Any] = {"session_id": s.id, "mv": mod_version}
        if self.session_changed:
            pub["session"] = mod["session"] = serialize.public_session(s)
        pub["questions"] = [
            serialize.public_question(q, counts[q.id], s)
            for q, _ in self.questions.values()
            if q.is_public
        ]
        pub["removed"] = [q.id for q, was in self.questions.values() if was and not q.is_public]
        mod["questions"] = [
            serialize.mod_question(q, counts[q.id], s) for q, _ in self.questions.values()
        ]
        if self.bans_changed:
            from ..queries import ban_list

            mod["bans"] = ban_list(s.id)
        room, mod_room, notices = s.room, s.mod_room, list(self.notices)

        def emit() -> None:
            votes.forget(s.id)  # bans, question states: votes check them again
            if public:
                socketio.emit("delta", pub, to=room, namespace=NAMESPACE)
            socketio.emit("mod_delta", mod, to=mod_room, namespace=NAMESPACE)
            for user_id, data in notices:
                socketio.emit(
                    "mine",
                    {"session_id": pub["session_id"], "question": data},
                    to=user_room(pub["session_id"], user_id),
                    namespace=NAMESPACE,
                )

        after_commit(emit)
        return version, mod_version


def revoke_moderator_rooms(event_id: int) -> None:
    """After an event's moderators changed: empty its sessions' moderator rooms on every
    web process, then ask moderator clients to join again.

    Rights are checked on every action, but a socket already in the room would still
    receive moderator-only deltas (questions not yet approved). Closing the room and the
    emit go through the same message queue in that order, so each process empties the
    room before its clients hear "mod_rejoin"; a rejoin checks rights afresh, so only
    current moderators get back in.
    """
    sessions = db.session.scalars(sa.select(LiveSession).where(LiveSession.event_id == event_id))
    for session in sessions:
        socketio.close_room(session.mod_room, namespace=NAMESPACE)
        socketio.emit(
            "mod_rejoin", {"session_id": session.id}, to=session.room, namespace=NAMESPACE
        )
