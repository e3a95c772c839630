"""Residents' writes: asking a question and voting for one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from participation.db import db, utcnow
from participation.errors import Gone, ServiceError
from participation.models import User
from participation.screening import load_words, screen

from ..models import QaState, Question, QuestionStatus, SessionState
from . import votes
from .access import get_session, require_participant
from .changes import Changes

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


def vote(user: User | None, question_id: int, on: bool = True) -> int:
    """Add or withdraw the user's vote; repeating either is harmless. Returns the count.

    Decided in the store and written to the database in batches (services/votes.py)."""
    return votes.cast(user, question_id, on)
