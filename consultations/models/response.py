from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow
from participation.models import Organization

if TYPE_CHECKING:
    from .comment import Comment
    from .consultation import Consultation


class Outcome(enum.StrEnum):
    adopted = "adopted"  # 采纳
    partly_adopted = "partly_adopted"  # 部分采纳
    not_adopted = "not_adopted"  # 不予采纳
    explained = "explained"  # 说明 (e.g. out of scope)


class ResponseStatus(enum.StrEnum):
    draft = "draft"
    approved = "approved"  # by a second member of the agency
    published = "published"


class CommentGroup(db.Model):
    """Similar opinions answered once; large groups are the concentrated opinions."""

    __tablename__ = "comment_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # Proposed by the grouping job until an organizer confirms it.
    confirmed: Mapped[bool] = mapped_column(default=False)
    similarity: Mapped[float] = mapped_column(default=0.0)
    # The grouping job that proposed it (None: formed by hand); a re-run replaces only
    # unconfirmed proposals without a response.
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grouping_jobs.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    consultation: Mapped[Consultation] = relationship()
    comments: Mapped[list[Comment]] = relationship(back_populates="group")
    response: Mapped[Response | None] = relationship(
        back_populates="group", uselist=False, foreign_keys="Response.group_id"
    )


class Response(db.Model):
    """The agency's answer to one comment or one group: an outcome and a reason."""

    __tablename__ = "responses"
    __table_args__ = (
        sa.CheckConstraint("(comment_id IS NULL) <> (group_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id"), unique=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment_groups.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "response_outcome"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ResponseStatus] = mapped_column(
        enum_column(ResponseStatus, "response_status"), default=ResponseStatus.draft
    )
    drafted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    comment: Mapped[Comment | None] = relationship(
        back_populates="response", foreign_keys=[comment_id]
    )
    group: Mapped[CommentGroup | None] = relationship(
        back_populates="response", foreign_keys=[group_id]
    )
    organization: Mapped[Organization] = relationship()


class GroupingJob(db.Model):
    """A run of the similarity grouping; the organizer watches its progress bar."""

    __tablename__ = "grouping_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")  # running/done/failed
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # A lease: set when queued and at every progress step. A queued or running job whose
    # heartbeat stopped (its worker was killed, its message lost) is failed by the stale
    # job sweep (services.groups.fail_stale_jobs), so it can be run again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeadlineAlert(db.Model):
    """A feedback-deadline alert already mailed: once per consultation and threshold."""

    __tablename__ = "deadline_alerts"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"))
    threshold: Mapped[str] = mapped_column(sa.String(12))  # "soon" or "overdue"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
