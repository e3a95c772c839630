"""Staff dashboard reads: the consultations of an agency, their workload and the feedback
deadline (FEEDBACK_WORKDAYS working days after the window closes, official calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from participation.db import db, utcnow
from participation.models import User
from participation.permissions import is_admin
from participation.workdays import deadline_info, is_covered

from ..models import (
    Channel,
    Comment,
    CommentGroup,
    CommentStatus,
    Consultation,
    Decision,
    Outcome,
    Response,
    ResponseStatus,
)

STATES = ("unanswered", "todo", "draft", "approved", "published")


def _answered(own: Any, grp: Any) -> Any:
    """True when a published answer applies; never NULL (outer joins give NULLs, and
    NOT NULL would silently drop rows)."""
    published = ResponseStatus.published
    return sa.case((own.status == published, 1), (grp.status == published, 1), else_=0) == 1


def local_date(value: datetime) -> date:
    tz = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    return value.astimezone(tz).date()


@dataclass(frozen=True)
class Deadline:
    deadline: date
    days_left: int  # working days; negative once passed
    level: str  # open / ok / soon / overdue / done
    estimated: bool  # a year without official holiday data: Mon-Fri assumed

    @property
    def alert(self) -> bool:
        return self.level in ("soon", "overdue")


def alert_workdays() -> int:
    return int(current_app.config.get("DEADLINE_ALERT_WORKDAYS", 5))


def feedback_deadline(consultation: Consultation, today: date | None = None) -> Deadline:
    closed_on = local_date(consultation.closes_at)
    today = today or local_date(utcnow())
    deadline, left = deadline_info(closed_on, current_app.config["FEEDBACK_WORKDAYS"], today)
    if consultation.report_published_at is not None:
        level = "done"
    elif consultation.is_open() or consultation.state() == "scheduled":
        level = "open"
    elif left < 0:
        level = "overdue"
    elif left <= alert_workdays():
        level = "soon"
    else:
        level = "ok"
    return Deadline(deadline, left, level, not is_covered(deadline))


# ---- consultations of the agency ----------------------------------------------------


def has_held_comments() -> Any:
    """True for a consultation with a comment that waits for moderation."""
    return (
        sa.select(Comment.id)
        .where(
            Comment.consultation_id == Consultation.id,
            Comment.status == CommentStatus.pending,
        )
        .exists()
    )


def consultations_for(user: User) -> sa.Select:
    """The agency's consultations; those with comments waiting for review come first,
    so nothing held is left at the bottom of a page nobody opens."""
    query = (
        sa.select(Consultation)
        .join(Decision, Consultation.decision_id == Decision.id)
        .options(selectinload(Consultation.decision).selectinload(Decision.organization))
        .order_by(
            sa.case((has_held_comments(), 0), else_=1),
            Consultation.closes_at.desc(),
            Consultation.id.desc(),
        )
    )
    if not is_admin(user):
        query = query.where(Decision.organization_id.in_(user.organization_ids or {-1}))
    return query


def workload(consultation_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per consultation: accepted comments, not yet answered publicly, awaiting approval;
    and the comments outside that list: held for review and rejected (kept and counted)."""
    out = {
        cid: {"comments": 0, "unanswered": 0, "in_progress": 0, "held": 0, "rejected": 0}
        for cid in consultation_ids
    }
    if not consultation_ids:
        return out
    for cid, status, n in db.session.execute(
        sa.select(Comment.consultation_id, Comment.status, sa.func.count(Comment.id))
        .where(
            Comment.consultation_id.in_(consultation_ids),
            Comment.status.in_((CommentStatus.pending, CommentStatus.rejected)),
        )
        .group_by(Comment.consultation_id, Comment.status)
    ):
        out[cid]["held" if status == CommentStatus.pending else "rejected"] = n
    own, grp = aliased(Response), aliased(Response)
    answered = _answered(own, grp)
    rows = db.session.execute(
        sa.select(
            Comment.consultation_id,
            sa.func.count(Comment.id),
            sa.func.sum(sa.case((answered, 0), else_=1)),
            sa.func.sum(
                sa.case(
                    (sa.and_(~answered, sa.or_(own.id.is_not(None), grp.id.is_not(None))), 1),
                    else_=0,
                )
            ),
        )
        .outerjoin(own, own.comment_id == Comment.id)
        .outerjoin(grp, grp.group_id == Comment.group_id)
        .where(
            Comment.consultation_id.in_(consultation_ids),
            Comment.status == CommentStatus.accepted,
        )
        .group_by(Comment.consultation_id)
    )
    for cid, total, unanswered, in_progress in rows:
        out[cid].update(
            comments=total,
            unanswered=int(unanswered or 0),
            in_progress=int(in_progress or 0),
        )
    return out


# ---- the comment list of one consultation --------------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def staff_comments(consultation: Consultation, args: dict[str, str]) -> sa.Select:
    """Accepted comments with the filters of the dashboard list (unknown values ignored)."""
    own, grp = aliased(Response), aliased(Response)
    published = ResponseStatus.published
    query = (
        sa.select(Comment)
        .outerjoin(own, own.comment_id == Comment.id)
        .outerjoin(grp, grp.group_id == Comment.group_id)
        .where(
            Comment.consultation_id == consultation.id,
            Comment.status == CommentStatus.accepted,
        )
        .options(
            selectinload(Comment.response),
            selectinload(Comment.article),
            selectinload(Comment.group).selectinload(CommentGroup.response),
        )
        .order_by(Comment.submitted_at, Comment.id)
    )
    article = args.get("article", "")
    if article == "none":
        query = query.where(Comment.article_id.is_(None))
    elif (aid := _int(article)) is not None:
        query = query.where(Comment.article_id == aid)
    if args.get("channel") in Channel.__members__:
        query = query.where(Comment.channel == Channel(args["channel"]))
    group = args.get("group", "")
    if group == "none":
        query = query.where(Comment.group_id.is_(None))
    elif group == "any":
        query = query.where(Comment.group_id.is_not(None))
    elif (gid := _int(group)) is not None:
        query = query.where(Comment.group_id == gid)
    if args.get("outcome") in Outcome.__members__:
        effective = sa.case(
            (own.status == published, own.outcome),
            (grp.status == published, grp.outcome),
        )
        query = query.where(effective == Outcome(args["outcome"]))
    query = _state_filter(query, args.get("state", ""), own, grp)
    if q := (args.get("q") or "").strip()[:100]:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(Comment.receipt_no == q, Comment.body.like(like, escape="\\")))
    return query


def _state_filter(query: sa.Select, state: str, own: Any, grp: Any) -> sa.Select:
    answered = _answered(own, grp)
    current = sa.func.coalesce(own.status, grp.status)
    if state == "unanswered":
        return query.where(~answered)
    if state == "todo":
        return query.where(own.id.is_(None), grp.id.is_(None))
    if state == "draft":
        return query.where(current == ResponseStatus.draft.value)
    if state == "approved":
        return query.where(current == ResponseStatus.approved.value)
    if state == "published":
        return query.where(answered)
    return query


def groups_of(consultation: Consultation) -> list[CommentGroup]:
    return list(
        db.session.scalars(
            sa.select(CommentGroup)
            .where(CommentGroup.consultation_id == consultation.id)
            .options(selectinload(CommentGroup.response))
            .order_by(CommentGroup.confirmed.desc(), CommentGroup.id)
        )
    )
