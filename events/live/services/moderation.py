"""Moderators' actions on questions. Each names the revision it saw: the first of two
moderators acting on the same question wins, the second gets a clear conflict."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation import audit
from participation.db import after_commit, db, utcnow
from participation.errors import Conflict, NotFound, PermissionDenied, ServiceError
from participation.models import Organization, User
from participation.permissions import is_organizer_of, require_signed_in
from participation.screening import screen
from participation.workdays import add_workdays

from ..models import AnswerMode, LiveSession, Question, QuestionStatus, QuestionVote
from . import votes
from .access import get_session, is_moderator, require_moderator
from .changes import Changes
from .store import get_store

TEXT_LIMIT = 4000
STATUS_LABELS = {
    QuestionStatus.pending: _l("waiting for review"),
    QuestionStatus.approved: _l("published"),
    QuestionStatus.rejected: _l("rejected"),
    QuestionStatus.merged: _l("merged into another question"),
}


def _load(user: User | None, question_id: int, rev: int | None) -> tuple[Question, LiveSession]:
    q = db.session.get(Question, question_id)
    if q is None:
        raise NotFound(_("This question does not exist."))
    session = get_session(q.session_id, user)
    require_moderator(user, session)
    if rev is not None and rev != q.revision:
        raise Conflict(
            _("Another moderator has just changed this question. Please look at it again.")
        )
    return q, session


def _require_status(q: Question, *allowed: QuestionStatus) -> None:
    if q.status not in allowed:
        raise Conflict(
            _(
                "This question is already %(status)s; nothing was changed.",
                status=STATUS_LABELS[q.status],
            )
        )


def _text(value: str, field: str, limit: int = TEXT_LIMIT, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("Please fill in this field."), field=field)
    if len(value) > limit:
        raise ServiceError(_("Please keep this under %(n)d characters.", n=limit), field=field)
    return value


def _audit(user: User, action: str, q: Question, **kw: object) -> None:
    audit.record(user, f"live.{action}", "live_question", q.id, **kw)  # type: ignore[arg-type]


def approve(user: User, question_id: int, rev: int | None) -> Question:
    q, session = _load(user, question_id, rev)
    _require_status(q, QuestionStatus.pending, QuestionStatus.rejected)
    q.status, q.moderated_by_id, q.moderated_at = QuestionStatus.approved, user.id, utcnow()
    q.reject_reason = ""
    _audit(user, "approve", q)
    Changes(session).question(q, was_public=False).notify_author(q).publish()
    return q


def reject(user: User, question_id: int, rev: int | None, reason: str = "") -> Question:
    q, session = _load(user, question_id, rev)
    _require_status(q, QuestionStatus.pending, QuestionStatus.approved)
    was_public = q.is_public
    q.status, q.moderated_by_id, q.moderated_at = QuestionStatus.rejected, user.id, utcnow()
    q.reject_reason = _text(reason, "reason", 500, required=False)
    changes = Changes(session).question(q, was_public=was_public).notify_author(q)
    if session.on_screen_question_id == q.id:
        session.on_screen_question_id = None
        changes.session_state()
    _audit(user, "reject", q, reason=q.reject_reason)
    changes.publish()
    return q


def edit(user: User, question_id: int, rev: int | None, body: str) -> Question:
    """Fix a typo: the asker's original stays in original_body and the audit log."""
    q, session = _load(user, question_id, rev)
    _require_status(q, QuestionStatus.pending, QuestionStatus.approved)
    body = " ".join(_text(body, "body", current_app.config["LIVE_QUESTION_MAX_CHARS"]).split())
    if body == q.body:
        return q
    before = q.body
    result = screen(body)
    q.body, q.published_body = body, result.masked
    q.flagged_words = list(result.flagged_words)
    q.edited_by_id, q.edited_at = user.id, utcnow()
    _audit(user, "edit", q, data={"before": before, "after": body})
    Changes(session).question(q, was_public=q.is_public).publish()
    return q


def merge(user: User, question_id: int, rev: int | None, into_id: int) -> Question:
    """Fold a duplicate into another question; a person who voted for both counts once."""
    votes.persist(wait=5.0)  # the queued votes first (their own transaction)
    dup, session = _load(user, question_id, rev)
    target = db.session.get(Question, into_id)
    if target is None or target.session_id != dup.session_id or target.id == dup.id:
        raise ServiceError(_("Choose another question of this session."), field="into")
    _require_status(dup, QuestionStatus.pending, QuestionStatus.approved)
    if target.status not in (QuestionStatus.pending, QuestionStatus.approved):
        raise Conflict(_("The question to merge into is no longer open."))
    was_public = dup.is_public
    already = sa.select(QuestionVote.user_id).where(QuestionVote.question_id == target.id)
    db.session.execute(
        sa.update(QuestionVote)
        .where(QuestionVote.question_id == dup.id, QuestionVote.user_id.not_in(already))
        .values(question_id=target.id),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(sa.delete(QuestionVote).where(QuestionVote.question_id == dup.id))
    # The asker of the duplicate supports the merged question too.
    if dup.author_id and dup.author_id != target.author_id:
        has = db.session.scalar(
            sa.select(QuestionVote.id).where(
                QuestionVote.question_id == target.id, QuestionVote.user_id == dup.author_id
            )
        )
        if has is None:
            db.session.add(QuestionVote(question_id=target.id, user_id=dup.author_id))
    dup.status, dup.merged_into_id = QuestionStatus.merged, target.id
    dup.moderated_by_id, dup.moderated_at = user.id, utcnow()
    changes = Changes(session).question(dup, was_public=was_public).notify_author(dup)
    changes.question(target, was_public=target.is_public)
    if session.on_screen_question_id == dup.id:
        session.on_screen_question_id = target.id
        changes.session_state()
    _audit(user, "merge", dup, data={"into": target.id})
    changes.publish()
    store, dup_id, target_id = get_store(), dup.id, target.id
    author_id = dup.author_id if dup.author_id != target.author_id else None
    after_commit(lambda: store.merge_votes(dup_id, target_id, author_id))
    return target


def put_on_screen(user: User, question_id: int | None, rev: int | None, session_id: int) -> None:
    """Show a question on the presenter screen (None clears the screen)."""
    session = get_session(session_id, user)
    require_moderator(user, session)
    changes = Changes(session).session_state()
    if question_id is None:
        session.on_screen_question_id = None
        audit.record(user, "live.screen_clear", "live_session", session.id)
    else:
        q, _s = _load(user, question_id, rev)
        if q.session_id != session.id:
            raise ServiceError(_("Choose a question of this session."))
        _require_status(q, QuestionStatus.approved)
        session.on_screen_question_id = q.id
        q.on_screen_at = q.on_screen_at or utcnow()
        changes.question(q, was_public=True)
        _audit(user, "screen", q)
    changes.publish()


def answer(user: User, question_id: int, rev: int | None, text: str, official: str) -> Question:
    q, session = _load(user, question_id, rev)
    _require_status(q, QuestionStatus.approved)
    if q.answered_at is not None:
        raise Conflict(_("This question has already been answered."))
    q.answer = _text(text, "answer")
    q.answered_by = _text(official, "official", 120)
    q.answer_mode, q.answered_at = AnswerMode.live, utcnow()
    q.on_screen_at = q.on_screen_at or q.answered_at
    _audit(user, "answer", q, data={"official": q.answered_by})
    Changes(session).question(q, was_public=True).publish()
    return q


def assign(
    user: User, question_id: int, rev: int | None, department_id: int, due_on: date | None = None
) -> Question:
    """Hand a question to a department for a written answer after the session."""
    q, session = _load(user, question_id, rev)
    _require_status(q, QuestionStatus.approved)
    if q.answered_at is not None:
        raise Conflict(_("This question has already been answered."))
    dept = db.session.get(Organization, department_id)
    if dept is None:
        raise ServiceError(_("Choose a department."), field="department")
    today = utcnow().date()
    default_due = add_workdays(today, current_app.config["WRITTEN_ANSWER_WORKDAYS"])
    if due_on is not None and due_on < today:
        raise ServiceError(_("The due date cannot be in the past."), field="due_on")
    q.department_id, q.due_on = dept.id, due_on or default_due
    q.answer_mode, q.assigned_at = AnswerMode.written, utcnow()
    _audit(user, "assign", q, data={"department": dept.id, "due_on": q.due_on.isoformat()})
    Changes(session).question(q, was_public=True).publish()
    return q


def can_write_answer(user: User | None, q: Question) -> bool:
    session = db.session.get(LiveSession, q.session_id)
    return is_organizer_of(user, q.department_id) or is_moderator(user, session)


def publish_written_answer(user: User | None, question_id: int, text: str, official: str) -> None:
    """The department's written follow-up; viewers and the asker hear of it by a task."""
    user = require_signed_in(user)
    q = db.session.get(Question, question_id)
    if q is None or not q.awaiting_written_answer:
        raise NotFound(_("No written answer is awaited for this question."))
    if not can_write_answer(user, q):
        raise PermissionDenied(_("Only the assigned department may answer in writing."))
    q.answer = _text(text, "answer")
    q.answered_by = _text(official, "official", 120)
    q.answered_at = utcnow()
    _audit(user, "written_answer", q, data={"official": q.answered_by})
    qid = q.id

    def push() -> None:
        from ..tasks import announce_written_answer

        announce_written_answer.delay(qid)

    after_commit(push)
