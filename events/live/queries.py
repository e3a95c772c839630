"""Reads: snapshots for (re)joining clients, lists and the public record."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from participation.db import db
from participation.models import User

from .models import LiveBan, LiveSession, Question, QuestionStatus, SessionState
from .services import serialize, votes
from .services.access import is_banned, is_moderator
from .services.counting import vote_counts, voted_by
from .services.store import get_store


def _version(session_id: int) -> tuple[int, int]:
    # Read the counters before the data: a change landing in between is then both in
    # the data and in the next delta, and applying a delta twice is harmless.
    db.session.expire_all()
    row = db.session.execute(
        sa.select(LiveSession.version, LiveSession.mod_version).where(LiveSession.id == session_id)
    ).one()
    return int(row[0]), int(row[1])


def _questions(session_id: int, statuses: tuple[QuestionStatus, ...]) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question)
            .options(selectinload(Question.department), selectinload(Question.author))
            .where(Question.session_id == session_id, Question.status.in_(statuses))
            .order_by(Question.created_at, Question.id)
        )
    )


SNAPSHOT_TTL = 1.0  # seconds a process reuses the public part of a snapshot


def _public_part(session_id: int) -> dict[str, Any]:
    """The part of a snapshot that is the same for every viewer, cached per version:
    when thousands join at once, the database answers once a second, not per join."""
    version, _ = _version(session_id)
    cache = current_app.extensions.setdefault("live", {}).setdefault("snapshots", {})
    hit = cache.get(session_id)
    now = time.monotonic()
    if hit and hit[0] == version and now - hit[1] < SNAPSHOT_TTL:
        return hit[2]
    session = db.session.get(LiveSession, session_id)
    counts = vote_counts(session_id, public_only=True)
    questions = _questions(session_id, (QuestionStatus.approved,))
    part = {
        "session_id": session_id,
        "v": version,
        "session": serialize.public_session(session),  # type: ignore[arg-type]
        "questions": [
            serialize.public_question(q, counts.get(q.id, 0), session)  # type: ignore[arg-type]
            for q in questions
        ],
    }
    cache[session_id] = (version, now, part)
    return part


def snapshot(session: LiveSession, user: User | None) -> dict[str, Any]:
    """Everything a viewer needs to draw the page, with the version it corresponds to."""
    part = _public_part(session.id)
    signed_in = bool(user and getattr(user, "is_authenticated", False))
    mine: dict[str, Any] = {"voted": [], "questions": []}
    if signed_in:
        mine["voted"] = votes.voted_by(
            [q["id"] for q in part["questions"]],
            user.id,  # type: ignore[union-attr]
            voted_by(session.id, user.id),  # type: ignore[union-attr]
        )
        own = db.session.scalars(
            sa.select(Question)
            .where(Question.session_id == session.id, Question.author_id == user.id)  # type: ignore[union-attr]
            .order_by(Question.id)
        )
        mine["questions"] = [serialize.own_question(q) for q in own]
    return {
        **part,
        "viewers": get_store().viewer_count(session.id),
        "me": {
            "signed_in": signed_in,
            "banned": is_banned(user, session),
            "moderator": is_moderator(user, session),
        },
        "mine": mine,
    }


def mod_snapshot(session: LiveSession) -> dict[str, Any]:
    _, mod_version = _version(session.id)
    session = db.session.get(LiveSession, session.id)  # type: ignore[assignment]
    counts = vote_counts(session.id)
    questions = _questions(session.id, tuple(QuestionStatus))
    return {
        "session_id": session.id,
        "mv": mod_version,
        "session": serialize.public_session(session),
        "questions": [serialize.mod_question(q, counts.get(q.id, 0), session) for q in questions],
        "viewers": get_store().viewer_count(session.id),
        "bans": ban_list(session.id),
    }


def ban_list(session_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(LiveBan, User.display_name)
        .join(User, User.id == LiveBan.user_id)
        .where(LiveBan.session_id == session_id)
        .order_by(LiveBan.id)
    )
    return [
        {"user_id": b.user_id, "name": name, "reason": b.reason, "at": b.created_at.isoformat()}
        for b, name in rows
    ]


def sessions_page(page: int, per_page: int = 20) -> Any:
    order = sa.case(
        (LiveSession.state == SessionState.live, 0),
        (LiveSession.state == SessionState.paused, 0),
        (LiveSession.state == SessionState.scheduled, 1),
        else_=2,
    )
    from events.models import Event, EventStatus

    stmt = (
        sa.select(LiveSession)
        .join(Event, Event.id == LiveSession.event_id)
        .where(Event.status != EventStatus.draft)
        .order_by(order, LiveSession.scheduled_at.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def events_user_moderates(user: User | None, limit: int = 30) -> list[Any]:
    """Recent events this person may announce a live session for: as in
    events.services.permissions.is_event_moderator, in one query."""
    from events.models import Event, EventModerator

    if not user or not getattr(user, "is_authenticated", False):
        return []
    stmt = sa.select(Event).order_by(Event.starts_at.desc()).limit(limit)
    if not user.is_admin:
        named = sa.select(EventModerator.event_id).where(EventModerator.user_id == user.id)
        stmt = stmt.where(
            sa.or_(Event.organization_id.in_(user.organization_ids), Event.id.in_(named))
        )
    return list(db.session.scalars(stmt))


def record(session: LiveSession) -> dict[str, Any]:
    """The public record: every published question, its answer or written follow-up."""
    counts = vote_counts(session.id, public_only=True)
    questions = _questions(session.id, (QuestionStatus.approved,))
    items = []
    for q in questions:
        data = serialize.public_question(q, counts.get(q.id, 0), session)
        offset = data["offset"]
        data["replay_link"] = (
            f"{session.replay_url}#t={offset}"
            if session.replay_url and offset is not None
            else None
        )
        items.append(data)
    return {
        "session": serialize.public_session(session),
        "questions": items,
        "answered": sum(1 for q in questions if q.answered_at is not None),
        "awaiting_written": sum(1 for q in questions if q.awaiting_written_answer),
    }
