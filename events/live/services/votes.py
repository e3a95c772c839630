"""Votes at storm rate: the store decides, the database follows in batches.

The one-vote rule and the live counts live in the store (a Redis set per question shared
by the web processes, or memory in the embedded mode), seeded from the database the first
time a question is voted on. A vote that changes a set is queued in the same atomic step
and acknowledged at once; the flusher writes the queue in one transaction per tick
(INSERT ... ON CONFLICT DO NOTHING / DELETE) and only then marks the session dirty, so
the ``counts`` broadcast read from the database includes it (docs/realtime.md, "Votes").
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from events.models import Event, EventStatus
from participation.db import db, utcnow
from participation.errors import Gone, NotFound, PermissionDenied
from participation.extensions import socketio
from participation.models import User
from participation.permissions import require_verified

from ..models import LiveBan, LiveSession, Question, QuestionStatus, QuestionVote, SessionState
from .access import get_session
from .store import Vote, get_store

log = logging.getLogger(__name__)
CHECK_TTL = 1.0  # seconds a process trusts its view of a session's state, bans, questions
BATCH = 5000  # queued votes written per transaction


def _cache() -> dict[str, Any]:
    return current_app.extensions.setdefault("live", {}).setdefault(
        "votes", {"question": {}, "session": {}}
    )


def forget(session_id: int) -> None:
    """Drop this process's cached checks of a session (after any change to it)."""
    _cache()["session"].pop(session_id, None)


def _session_of(question_id: int) -> int:
    known = _cache()["question"]  # a question never moves to another session
    if question_id not in known:
        session_id = db.session.scalar(
            sa.select(Question.session_id).where(Question.id == question_id)
        )
        if session_id is None:
            raise NotFound(_("This question does not exist."))
        if len(known) > 100_000:
            known.clear()
        known[question_id] = session_id
    return known[question_id]


def _checks(session_id: int) -> dict[str, Any]:
    """What a vote must check, read at most once per CHECK_TTL per process: a storm of
    votes costs no database round trip per vote."""
    cache = _cache()["session"]
    hit = cache.get(session_id)
    now = time.monotonic()
    if hit is None or now - hit["at"] > CHECK_TTL:
        row = db.session.execute(
            sa.select(LiveSession.state, Event.status)
            .join(Event, Event.id == LiveSession.event_id)
            .where(LiveSession.id == session_id)
        ).one()
        hit = {
            "at": now,
            "ended": row[0] == SessionState.ended,
            "draft": row[1] == EventStatus.draft,
            "public": set(
                db.session.scalars(
                    sa.select(Question.id).where(
                        Question.session_id == session_id,
                        Question.status == QuestionStatus.approved,
                    )
                )
            ),
            "banned": set(
                db.session.scalars(
                    sa.select(LiveBan.user_id).where(LiveBan.session_id == session_id)
                )
            ),
            "visible": {},  # user id -> may see the session (drafts: their organization)
        }
        cache[session_id] = hit
    return hit


def _visible(checks: dict[str, Any], session_id: int, user: User | None) -> None:
    if not checks["draft"]:
        return
    if user is None or not getattr(user, "is_authenticated", False):
        get_session(session_id, None)
    elif user.id not in checks["visible"]:
        get_session(session_id, user)  # raises NotFound
        checks["visible"][user.id] = True


def cast(user: User | None, question_id: int, on: bool = True) -> int:
    """Add or withdraw the user's vote; repeating either is harmless. Returns the count."""
    session_id = _session_of(question_id)
    checks = _checks(session_id)
    _visible(checks, session_id, user)
    if question_id not in checks["public"]:  # perhaps approved a moment ago elsewhere
        status = db.session.scalar(sa.select(Question.status).where(Question.id == question_id))
        if status != QuestionStatus.approved:
            raise NotFound(_("This question is not public."))
        checks["public"].add(question_id)
    require_verified(user)
    if user.id in checks["banned"]:  # type: ignore[union-attr]
        raise PermissionDenied(
            _("You can still watch, but the moderators have stopped you taking part.")
        )
    if checks["ended"]:
        raise Gone(_("This session has ended; votes are closed."))
    user_id = user.id  # type: ignore[union-attr]
    # Nothing is written here: end the read transaction so the connection goes back to
    # the pool before the Redis round trip (in a storm, greenlets waiting on Redis while
    # holding connections exhaust the pool).
    db.session.commit()
    store = get_store()
    count = store.vote(question_id, user_id, on)
    if count is None:  # first vote on this question since the sets were cold
        store.seed_votes(question_id, voters(question_id))
        count = store.vote(question_id, user_id, on)
    return int(count)  # type: ignore[arg-type]


def voters(question_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(QuestionVote.user_id).where(QuestionVote.question_id == question_id)
        )
    )


def voted_by(question_ids: list[int], user_id: int, in_database: list[int]) -> list[int]:
    """The user's votes: the store's answer where it knows, the database's elsewhere."""
    known = get_store().voted(question_ids, user_id)
    mine = {q for q in in_database if q not in known} | {q for q, v in known.items() if v}
    return sorted(mine)


def _insert_ignoring_duplicates() -> Any:
    table = QuestionVote.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def _write(votes: list[Vote]) -> set[int]:
    """Write a batch (the last word of each person on each question wins); the sessions."""
    last = {(q, u): on for q, u, on in votes}
    rows = db.session.execute(
        sa.select(Question.id, Question.session_id, Question.status, Question.merged_into_id).where(
            Question.id.in_({q for q, _u in last})
        )
    ).all()
    # A vote that slipped in while its question was being merged supports the target.
    where = {r[0]: r[3] if r[2] == QuestionStatus.merged and r[3] else r[0] for r in rows}
    now = utcnow()
    adds = [
        {"question_id": where[q], "user_id": u, "created_at": now}
        for (q, u), on in last.items()
        if on and q in where
    ]
    removes: dict[int, list[int]] = {}
    for (q, u), on in last.items():
        if not on and q in where:
            removes.setdefault(q, []).append(u)
    if adds:
        db.session.execute(_insert_ignoring_duplicates(), adds)
    for q, users in removes.items():
        db.session.execute(
            sa.delete(QuestionVote).where(
                QuestionVote.question_id == q, QuestionVote.user_id.in_(users)
            )
        )
    return {r[1] for r in rows}


def _write_one_by_one(votes: list[Vote]) -> set[int]:
    """After a failed batch (e.g. an account deleted meanwhile): keep what can be kept."""
    sessions: set[int] = set()
    for vote in votes:
        try:
            with db.session.begin_nested():
                sessions |= _write([vote])
        except IntegrityError:
            log.warning("dropped a queued vote that no longer fits: %s", vote)
    return sessions


def persist(*, wait: float = 0.0) -> int:
    """Write the queued votes to the database, in transactions of up to BATCH votes,
    then mark their sessions dirty. One persister at a time across processes; ``wait``
    seconds for another to finish first. Returns the number of votes written."""
    store = get_store()
    deadline = time.monotonic() + wait
    written = 0
    while True:
        claim = store.claim_votes(BATCH)
        if claim is None:
            if time.monotonic() >= deadline:
                return written
            socketio.sleep(0.02)
            continue
        token, votes = claim
        try:
            if votes:
                try:
                    sessions = _write(votes)
                    db.session.commit()
                except IntegrityError:
                    db.session.rollback()
                    sessions = _write_one_by_one(votes)
                    db.session.commit()
        except BaseException:
            db.session.rollback()
            store.finish_votes(token, 0)
            raise
        store.finish_votes(token, len(votes))
        for session_id in sessions if votes else ():
            store.mark_dirty(session_id)
        written += len(votes)
        if len(votes) < BATCH:
            return written
