"""The JSON shapes of sessions and questions: public (viewers) and moderator views.

Public shapes carry only masked text and the name the asker chose; documented in
docs/realtime.md.
"""

from __future__ import annotations

from typing import Any

from ..models import LiveSession, Question


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def public_session(s: LiveSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "title": s.title,
        "state": s.state.value,
        "qa_state": s.qa_state.value,
        "premoderation": s.premoderation,
        "on_screen_id": s.on_screen_question_id,
        "stream_kind": s.stream_kind.value,
        "stream_url": s.stream_url,
        "replay_url": s.replay_url,
        "scheduled_at": _iso(s.scheduled_at),
        "went_live_at": _iso(s.went_live_at),
        "ended_at": _iso(s.ended_at),
    }


def public_question(q: Question, votes: int, session: LiveSession) -> dict[str, Any]:
    dept = q.department
    return {
        "id": q.id,
        "body": q.published_body,
        "author": q.author_label or None,
        "votes": votes,
        "asked_at": _iso(q.created_at),
        "edited": q.edited_at is not None,
        "on_screen_at": _iso(q.on_screen_at),
        "answer_mode": q.answer_mode.value if q.answer_mode else None,
        "answer": q.answer or None,
        "answered_by": q.answered_by or None,
        "answered_at": _iso(q.answered_at),
        "department": {"id": dept.id, "name": dept.name, "name_en": dept.name_en} if dept else None,
        "due_on": _iso(q.due_on),
        "offset": session.offset_seconds(q.on_screen_at or q.answered_at),
    }


def mod_question(q: Question, votes: int, session: LiveSession) -> dict[str, Any]:
    data = public_question(q, votes, session)
    data.update(
        status=q.status.value,
        rev=q.revision,
        body=q.published_body,
        text=q.body,
        original=q.original_body if q.original_body != q.body else None,
        flagged=list(q.flagged_words or []),
        author_id=q.author_id,
        account_name=q.author.display_name if q.author else None,
        reject_reason=q.reject_reason or None,
        merged_into=q.merged_into_id,
    )
    return data


def own_question(q: Question) -> dict[str, Any]:
    """What the asker sees of their own question, including a refusal's reason."""
    return {
        "id": q.id,
        "status": q.status.value,
        "body": q.published_body,
        "reason": q.reject_reason or None,
        "merged_into": q.merged_into_id,
    }
