"""Moderation of comments by the lead agency's organizers: accept or reject, with reasons.

Rejected comments are kept and counted (they are part of the record); the author is told
the reason by mail; every decision is in the audit log.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, NotFound, ServiceError
from participation.mail import send_template
from participation.models import User
from participation.permissions import require_organizer

from ..models import Comment, CommentStatus, Consultation, PublishMode
from .receipt_mail import receipt_url

MAX_REASON = 1000


def require_moderator(actor: User, consultation: Consultation) -> User:
    return require_organizer(actor, consultation.decision.organization_id)


def queue(actor: User, consultation: Consultation, status: CommentStatus) -> sa.Select[Any]:
    """Comments of one status, oldest first so nobody waits longest."""
    require_moderator(actor, consultation)
    return (
        sa.select(Comment)
        .where(Comment.consultation_id == consultation.id, Comment.status == status)
        .order_by(Comment.submitted_at, Comment.id)
    )


def status_counts(consultation: Consultation) -> dict[CommentStatus, int]:
    rows = db.session.execute(
        sa.select(Comment.status, sa.func.count(Comment.id))
        .where(Comment.consultation_id == consultation.id)
        .group_by(Comment.status)
    )
    counts = dict.fromkeys(CommentStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def held_count(consultation: Consultation) -> int:
    """Comments waiting for review: shown with a link to the queue wherever staff work."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(
                Comment.consultation_id == consultation.id,
                Comment.status == CommentStatus.pending,
            )
        )
        or 0
    )


def get_comment(consultation: Consultation, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation_id != consultation.id:
        raise NotFound(_("No such comment in this consultation."))
    return comment


def moderate(actor: User, comment: Comment, *, accept: bool, reason: str = "") -> Comment:
    """Accept or reject; a rejection needs a reason, which the author receives."""
    require_moderator(actor, comment.consultation)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ServiceError(_("Please give the reason for rejecting it."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("The reason may have at most %(n)d characters.", n=MAX_REASON), field="reason"
        )
    target = CommentStatus.accepted if accept else CommentStatus.rejected
    if comment.status == target:
        raise Conflict(_("This comment has already been moderated this way."))
    previous = comment.status
    comment.status = target
    comment.moderation_reason = reason
    comment.moderated_by_id = actor.id
    comment.moderated_at = utcnow()
    audit.record(
        actor,
        "comment.accept" if accept else "comment.reject",
        "comment",
        comment.id,
        reason=reason,
        data={
            "receipt_no": comment.receipt_no,
            "from": previous.value,
            "to": target.value,
            "flagged_words": list(comment.flagged_words or []),
        },
    )
    _notify(comment, accept)
    return comment


def _notify(comment: Comment, accepted: bool) -> None:
    if comment.author is None:
        return
    if not accepted:
        subject = _l("Your opinion %(no)s was not published", no=comment.receipt_no)
    elif comment.publish_mode == PublishMode.private:  # accepted, but its text stays private
        subject = _l("Your opinion %(no)s has been accepted", no=comment.receipt_no)
    else:
        subject = _l("Your opinion %(no)s has been published", no=comment.receipt_no)
    send_template(
        comment.author,
        subject,
        "mail/comment_moderated.txt",
        comment=comment,
        accepted=accepted,
        receipt_url=receipt_url(comment.receipt_no),
    )
