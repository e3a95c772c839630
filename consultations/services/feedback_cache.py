"""Report figures cached per data version, so a published report with 100,000 comments
renders from memory yet never shows a stale number.

Only *published* reports are cached. Any ORM change to a comment, group or response of
such a consultation bumps its FeedbackVersion row in the same transaction (a session
hook), so the cache key changes exactly when the data does, in every process. Core bulk
writes to those tables bypass the hook and must call ``bump(consultation_id)``; the
responses area does in its bulk paths.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from participation.db import db

from ..models import Comment, CommentGroup, Consultation, Response
from ..models.response import FeedbackVersion

_MAX_ENTRIES = 64
_MEMO = "canyu.feedback_versions"
_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def version(consultation_id: int) -> int:
    """Read once per request (a page asks for several cached parts)."""
    # Per request, not per app context: tests and tasks keep one app context for long.
    memo = request.environ.setdefault(_MEMO, {}) if has_request_context() else {}
    if consultation_id not in memo:
        memo[consultation_id] = (
            db.session.scalar(
                sa.select(FeedbackVersion.version).where(
                    FeedbackVersion.consultation_id == consultation_id
                )
            )
            or 0
        )
    return memo[consultation_id]


def cached(consultation: Consultation, name: str, compute: Callable[[], Any]) -> Any:
    """compute() once per (consultation, data version); live while unpublished."""
    if consultation.report_published_at is None:
        return compute()
    key = (
        db.engine.url.render_as_string(),
        consultation.id,
        consultation.report_published_at.isoformat(),  # ids restart in a fresh database
        version(consultation.id),
        name,
    )
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = compute()
    with _lock:
        _cache[key] = value
        while len(_cache) > _MAX_ENTRIES:
            _cache.popitem(last=False)
    return value


def bump(consultation_id: int, session: Session | None = None) -> None:
    """No savepoint here: this also runs inside a flush. The row is created when the
    report is published, so the insert is only a fallback."""
    session = session or db.session
    updated = session.execute(
        sa.update(FeedbackVersion)
        .where(FeedbackVersion.consultation_id == consultation_id)
        .values(version=FeedbackVersion.version + 1)
    ).rowcount
    if not updated:
        session.execute(
            sa.insert(FeedbackVersion).values(consultation_id=consultation_id, version=1)
        )
    if has_request_context():
        request.environ.pop(_MEMO, None)  # this request's own later reads see the change


def touch(consultation: Consultation) -> None:
    """For Core bulk writes, which the session hook cannot see."""
    if consultation.report_published_at is not None:
        bump(consultation.id)


def _consultation_id_of(session: Session, obj: object) -> int | None:
    """Before a flush foreign keys may still be unset: fall back to the related object."""
    if isinstance(obj, Comment | CommentGroup):
        if obj.consultation_id is not None:
            return obj.consultation_id
        return obj.consultation.id if obj.consultation is not None else None
    if isinstance(obj, Response):
        target = obj.comment or obj.group
        if target is None and obj.comment_id is not None:
            target = session.get(Comment, obj.comment_id)
        if target is None and obj.group_id is not None:
            target = session.get(CommentGroup, obj.group_id)
        return _consultation_id_of(session, target) if target is not None else None
    return None


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, flush_context: Any, instances: Any) -> None:
    touched = chain(session.new, session.dirty, session.deleted)
    candidates = [o for o in touched if isinstance(o, Comment | CommentGroup | Response)]
    if not candidates:
        return
    with session.no_autoflush:
        ids = {_consultation_id_of(session, o) for o in candidates} - {None}
        reported = {
            cid
            for cid in ids
            if (c := session.get(Consultation, cid)) is not None
            and c.report_published_at is not None
        }
    if reported:
        session.info.setdefault("feedback_bump", set()).update(reported)


@event.listens_for(Session, "after_flush")
def _bump_versions(session: Session, flush_context: Any) -> None:
    for cid in sorted(session.info.pop("feedback_bump", set())):
        bump(cid, session)
