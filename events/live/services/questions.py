"""Residents' writes: asking a question and voting for one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from participation.db import db, utcnow
from participation.errors import Gone, NotFound, ServiceError
from participation.models import User
from participation.screening import load_words, screen

from ..models import QaState, Question, QuestionStatus, QuestionVote, SessionState
from .access import get_session, require_participant
from .changes import Changes
from .counting import vote_count
from .store import get_store

MIN_CHARS = 5


def _words() -> tuple[str, ...] | None:
    path = current_app.config.get("SENSITIVE_WORDS_FILE")
    return load_words(path) if path else None


def _check_rate(user: User, session_id: int) -> None:
    cfg = current_app.config
    limit, window = cfg["LIVE_QUESTIONS_PER_WINDOW"], cfg["LIVE_QUESTION_WINDOW_SECONDS"]
    recent = db.session.scalar(
        sa.select(sa.func.count(Question.id)).where(
            Question.session_id == session_id,
            Question.author_id == user.id,
            Question.created_at >= utcnow() - timedelta(seconds=window),
        )
    )
    if recent >= limit:
        raise ServiceError(
            _(
                "You have asked %(n)d questions in the last %(m)d minutes. "
                "Please wait a little before asking another.",
                n=limit,
                m=max(1, window // 60),
            ),
            field="body",
        )


def ask(
    user: User | None, session_id: int, body: str, *, name: str = "", anonymous: bool = False
) -> Question:
    session = get_session(session_id, user)
    user = require_participant(user, session)
    if session.state == SessionState.ended or session.qa_state == QaState.closed:
        raise Gone(_("This Q&A is closed; questions are no longer taken."))
    if session.qa_state == QaState.paused:
        raise ServiceError(_("The moderators have paused questions. Please try again shortly."))
    body = " ".join((body or "").split())
    limit = current_app.config["LIVE_QUESTION_MAX_CHARS"]
    if not MIN_CHARS <= len(body) <= limit:
        raise ServiceError(
            _("Please write a question of %(a)d to %(b)d characters.", a=MIN_CHARS, b=limit),
            field="body",
        )
    label = "" if anonymous else " ".join((name or user.display_name).split())[:30]
    if label and screen(label, _words()).needs_review:
        raise ServiceError(_("Please choose another display name."), field="name")
    _check_rate(user, session.id)
    result = screen(body, _words())
    approved = not session.premoderation and not result.needs_review
    q = Question(
        session_id=session.id,
        author_id=user.id,
        author_label=screen(label).masked if label else "",
        original_body=body,
        body=body,
        published_body=result.masked,
        flagged_words=list(result.flagged_words),
        status=QuestionStatus.approved if approved else QuestionStatus.pending,
    )
    db.session.add(q)
    db.session.flush()
    Changes(session).question(q, was_public=False).notify_author(q).publish()
    return q


def _insert_ignoring_duplicates() -> Any:
    table = QuestionVote.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def _public_question(question_id: int, user: User | None) -> tuple[Question, object]:
    q = db.session.get(Question, question_id)
    if q is None:
        raise NotFound(_("This question does not exist."))
    session = get_session(q.session_id, user)
    if q.status != QuestionStatus.approved:
        raise NotFound(_("This question is not public."))
    return q, session


def vote(user: User | None, question_id: int, on: bool = True) -> tuple[Question, int, bool]:
    """Add or withdraw the user's vote; repeating either is harmless. Returns the count."""
    q, session = _public_question(question_id, user)
    user = require_participant(user, session)  # type: ignore[arg-type]
    if session.state == SessionState.ended:  # type: ignore[attr-defined]
        raise Gone(_("This session has ended; votes are closed."))
    if on:
        # Idempotent, and a double click racing itself leaves one row (unique constraint).
        db.session.execute(
            _insert_ignoring_duplicates().values(
                question_id=q.id, user_id=user.id, created_at=utcnow()
            )
        )
    else:
        db.session.execute(
            sa.delete(QuestionVote).where(
                QuestionVote.question_id == q.id, QuestionVote.user_id == user.id
            )
        )
    db.session.flush()
    # Coalesced: the flusher broadcasts counts at most a few times a second.
    get_store().mark_dirty(q.session_id)
    return q, vote_count(q.id), on
