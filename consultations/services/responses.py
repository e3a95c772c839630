"""Responses: an outcome and a reason for every comment or group, drafted by one member of
the lead agency, approved by a different member, then published and mailed to the authors.

Rules worth knowing:
- A reason is required for every outcome except ``adopted``.
- Editing a draft or an approved response makes the editor its drafter and clears any
  approval, so the final wording is always seen by two people.
- A published response is never edited: corrections are refused (409) and the audit log
  keeps what was published. This keeps the public record and the mails sent consistent.
- A group's response applies to every member, except a member whose *own* published
  response exists: the more specific answer wins (see ``effective_response``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, NotFound, PermissionDenied, ServiceError
from participation.links import external_url, request_context_if_needed
from participation.mail import send_template
from participation.models import User
from participation.permissions import require_organizer

# Re-exported: views and reports read them from here too.
from ..labels import OUTCOME_BADGES, OUTCOME_LABELS  # noqa: F401
from ..models import (
    Comment,
    CommentGroup,
    CommentStatus,
    Consultation,
    Outcome,
    Response,
    ResponseStatus,
)
from .receipt_mail import receipt_url

MAX_REASON = 5000

STATUS_LABELS = {
    ResponseStatus.draft: _l("Draft, awaiting approval"),
    ResponseStatus.approved: _l("Approved, not yet published"),
    ResponseStatus.published: _l("Published"),
}


# ---- who may answer ----------------------------------------------------------------


def lead_agency_id(consultation: Consultation) -> int:
    return consultation.decision.organization_id


def require_lead_organizer(user: User | None, consultation: Consultation) -> User:
    """Staff of the decision's lead agency (or an admin)."""
    return require_organizer(user, lead_agency_id(consultation))


def target_consultation(response: Response) -> Consultation:
    target = response.comment if response.comment is not None else response.group
    assert target is not None
    return target.consultation


# ---- reading ------------------------------------------------------------------------


def effective_response(comment: Comment) -> Response | None:
    """The published answer that applies: the comment's own, else its group's."""
    own = comment.response
    if own is not None and own.status == ResponseStatus.published:
        return own
    group_response = comment.group.response if comment.group is not None else None
    if group_response is not None and group_response.status == ResponseStatus.published:
        return group_response
    return None


def effective_columns() -> tuple[type[Response], type[Response]]:
    """Two aliases to join: the own published response and the group's published one.

    ``coalesce(own.x, grp.x)`` is then the effective value, computed in SQL.
    """
    return aliased(Response, name="own_resp"), aliased(Response, name="grp_resp")


def join_effective(query: sa.Select, own: type[Response], grp: type[Response]) -> sa.Select:
    published = ResponseStatus.published
    return query.outerjoin(
        own, sa.and_(own.comment_id == Comment.id, own.status == published)
    ).outerjoin(grp, sa.and_(grp.group_id == Comment.group_id, grp.status == published))


def get_response(response_id: int) -> Response:
    response = db.session.get(Response, response_id)
    if response is None:
        raise NotFound(_("No such response."))
    return response


# ---- validation ---------------------------------------------------------------------


def parse_outcome(raw: object) -> Outcome:
    try:
        return Outcome(str(raw or ""))
    except ValueError as exc:
        raise ServiceError(_("Please choose an outcome."), field="outcome") from exc


def clean_reason(outcome: Outcome, reason: str) -> str:
    reason = (reason or "").strip()
    if outcome != Outcome.adopted and not reason:
        raise ServiceError(
            _("Please give a reason: it is required for every outcome except adopted."),
            field="reason",
        )
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("The reason must have at most %(n)d characters.", n=MAX_REASON), field="reason"
        )
    return reason


def _check_answerable_comment(comment: Comment) -> None:
    if comment.status != CommentStatus.accepted:
        raise ServiceError(
            _(
                "Only accepted comments are answered (comment %(receipt)s is not).",
                receipt=comment.receipt_no,
            )
        )


def _check_answerable_group(group: CommentGroup) -> None:
    if not group.confirmed:
        raise ServiceError(_("Please confirm the group before answering it."))
    if not group.comments:
        raise ServiceError(_("This group has no comments."))


# ---- writing ------------------------------------------------------------------------


def _write_draft(
    user: User, response: Response | None, consultation: Consultation, **target: object
) -> Response:
    """Shared by comment and group drafts; `target` is comment=... or group=..."""
    outcome: Outcome = target.pop("outcome")  # type: ignore[assignment]
    reason: str = target.pop("reason")  # type: ignore[assignment]
    if response is not None and response.status == ResponseStatus.published:
        raise Conflict(
            _(
                "This response is published and cannot be changed: the published "
                "answer is part of the public record."
            )
        )
    created = response is None
    if response is None:
        response = Response(organization_id=lead_agency_id(consultation), **target)
        db.session.add(response)
    before = None if created else {"outcome": response.outcome.value, "reason": response.reason}
    response.outcome = outcome
    response.reason = reason
    response.status = ResponseStatus.draft
    response.drafted_by_id = user.id
    response.drafted_at = utcnow()
    response.approved_by_id = None
    response.approved_at = None
    db.session.flush()
    audit.record(
        user,
        "response.draft",
        "response",
        response.id,
        data={"outcome": outcome.value, "before": before, **_target_data(response)},
    )
    return response


def _target_data(response: Response) -> dict[str, object]:
    if response.comment_id is not None:
        return {"comment_id": response.comment_id}
    return {"group_id": response.group_id}


def draft_for_comment(user: User, comment: Comment, outcome: object, reason: str) -> Response:
    require_lead_organizer(user, comment.consultation)
    _check_answerable_comment(comment)
    parsed = parse_outcome(outcome)
    return _write_draft(
        user,
        comment.response,
        comment.consultation,
        comment=comment,
        outcome=parsed,
        reason=clean_reason(parsed, reason),
    )


def draft_for_group(user: User, group: CommentGroup, outcome: object, reason: str) -> Response:
    require_lead_organizer(user, group.consultation)
    _check_answerable_group(group)
    parsed = parse_outcome(outcome)
    return _write_draft(
        user,
        group.response,
        group.consultation,
        group=group,
        outcome=parsed,
        reason=clean_reason(parsed, reason),
    )


def approve(user: User, response: Response) -> Response:
    require_lead_organizer(user, target_consultation(response))
    if response.status != ResponseStatus.draft:
        raise Conflict(_("Only a draft response can be approved."))
    if response.drafted_by_id == user.id:
        raise PermissionDenied(
            _("You drafted this response: another member of the agency must approve it.")
        )
    response.status = ResponseStatus.approved
    response.approved_by_id = user.id
    response.approved_at = utcnow()
    audit.record(user, "response.approve", "response", response.id, data=_target_data(response))
    return response


def publish(user: User, response: Response) -> Response:
    require_lead_organizer(user, target_consultation(response))
    if response.status == ResponseStatus.published:
        raise Conflict(_("This response is already published."))
    if response.status != ResponseStatus.approved:
        raise ServiceError(_("A second member of the agency must approve the response first."))
    response.status = ResponseStatus.published
    response.published_at = utcnow()
    response.published_by_id = user.id
    audit.record(
        user,
        "response.publish",
        "response",
        response.id,
        data={"outcome": response.outcome.value, **_target_data(response)},
    )
    _notify_authors(response)
    return response


def discard(user: User, response: Response) -> None:
    """Withdraw an unpublished draft (e.g. before merging groups)."""
    require_lead_organizer(user, target_consultation(response))
    if response.status == ResponseStatus.published:
        raise Conflict(_("A published response cannot be withdrawn."))
    audit.record(
        user,
        "response.discard",
        "response",
        response.id,
        data={
            "outcome": response.outcome.value,
            "reason": response.reason,
            **_target_data(response),
        },
    )
    db.session.delete(response)
    db.session.flush()


# ---- bulk actions (all or nothing) ---------------------------------------------------


def comments_of(consultation: Consultation, comment_ids: Iterable[object]) -> list[Comment]:
    """The selected comments, all of this consultation, or a clear refusal."""
    try:
        ids = sorted({int(str(i)) for i in comment_ids})
    except ValueError as exc:
        raise ServiceError(_("The selection is not valid.")) from exc
    if not ids:
        raise ServiceError(_("Please select at least one comment."), field="ids")
    if len(ids) > 500:
        raise ServiceError(_("Please select at most 500 comments at a time."), field="ids")
    found = db.session.scalars(
        sa.select(Comment).where(Comment.id.in_(ids), Comment.consultation_id == consultation.id)
    ).all()
    if len(found) != len(ids):
        raise NotFound(_("Some selected comments do not belong to this consultation."))
    return list(found)


def bulk_draft(
    user: User,
    consultation: Consultation,
    comment_ids: Iterable[object],
    outcome: object,
    reason: str,
) -> list[Response]:
    require_lead_organizer(user, consultation)
    comments = comments_of(consultation, comment_ids)
    return [draft_for_comment(user, c, outcome, reason) for c in comments]


def bulk_approve(user: User, consultation: Consultation, comment_ids: Iterable[object]) -> int:
    require_lead_organizer(user, consultation)
    responses = _own_responses(consultation, comment_ids, ResponseStatus.draft)
    for r in responses:
        approve(user, r)
    return len(responses)


def bulk_publish(user: User, consultation: Consultation, comment_ids: Iterable[object]) -> int:
    require_lead_organizer(user, consultation)
    responses = _own_responses(consultation, comment_ids, ResponseStatus.approved)
    for r in responses:
        publish(user, r)
    return len(responses)


def _own_responses(
    consultation: Consultation, comment_ids: Iterable[object], status: ResponseStatus
) -> list[Response]:
    comments = comments_of(consultation, comment_ids)
    responses = [c.response for c in comments if c.response is not None]
    matching = [r for r in responses if r.status == status]
    if not matching:
        raise ServiceError(
            _(
                "None of the selected comments has a response in the state: %(s)s.",
                s=STATUS_LABELS[status],
            )
        )
    return matching


# ---- notification -------------------------------------------------------------------


def _notify_authors(response: Response) -> None:
    """One mail per author, listing their receipts; sent only if the commit succeeds
    (send_template writes to the outbox in this transaction and delivers after commit)."""
    if response.comment is not None:
        comments = [response.comment]
        consultation = response.comment.consultation
    else:
        assert response.group is not None
        consultation = response.group.consultation
        # A member with its own published response was told about that one.
        comments = [
            c
            for c in response.group.comments
            if c.response is None or c.response.status != ResponseStatus.published
        ]
    by_author: dict[int, list[Comment]] = defaultdict(list)
    for c in comments:
        if c.author_id is not None:
            by_author[c.author_id].append(c)
    if not by_author:
        return
    with request_context_if_needed():  # CLI and tasks: mails still render and link
        _send_mails(consultation, response, by_author)


def _subject(receipt_nos: list[str]) -> str:
    """The receipt number in the subject: an author with several opinions can tell the
    mails apart and find the receipt without opening the mail."""
    if len(receipt_nos) == 1:
        return _l("Your comment (receipt %(no)s) has received a response", no=receipt_nos[0])
    return _l(
        "Your %(num)d comments (receipt %(no)s and others) have received a response",
        num=len(receipt_nos),
        no=receipt_nos[0],
    )


def _send_mails(
    consultation: Consultation, response: Response, by_author: dict[int, list[Comment]]
) -> None:
    link = external_url("consultations.feedback", consultation_id=consultation.id)
    authors = db.session.scalars(sa.select(User).where(User.id.in_(by_author))).all()
    for author in authors:
        numbers = [c.receipt_no for c in by_author[author.id]]
        send_template(
            author,
            _subject(numbers),
            "mail/response_published.txt",
            consultation=consultation,
            receipts=[(no, receipt_url(no)) for no in numbers],
            outcome=OUTCOME_LABELS[response.outcome],
            reason=response.reason,
            agency=response.organization,
            link=link,
        )
