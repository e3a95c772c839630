from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow
from participation.models import Organization, User

if TYPE_CHECKING:
    from .consultation import Consultation
    from .draft import Article
    from .response import CommentGroup, Response


class Channel(enum.StrEnum):
    """How an opinion reached the agency (征求意见渠道)."""

    online = "online"
    letter = "letter"
    email = "email"
    phone = "phone"
    symposium = "symposium"
    field_visit = "field_visit"
    hearing = "hearing"
    questionnaire = "questionnaire"
    poll = "poll"
    meeting = "meeting"  # an observer's opinion at a government meeting (列席)
    live_qa = "live_qa"  # a question from an open-day live session
    open_day = "open_day"  # said at a government open day (政府开放日), from its record


class PublishMode(enum.StrEnum):
    """The author's choice of how the comment is published."""

    named = "named"  # with the author's name (and organization)
    anonymous = "anonymous"
    private = "private"  # answered, counted, but the text is not published


class CommentStatus(enum.StrEnum):
    pending = "pending"  # waiting for moderation
    accepted = "accepted"
    rejected = "rejected"  # with a reason told to the author; still counted


class Comment(db.Model):
    """An opinion (意见) from any channel. Once accepted it is never deleted."""

    __tablename__ = "comments"
    __table_args__ = (
        # A retried submission (double click, API retry) finds the first one.
        sa.UniqueConstraint("author_id", "idempotency_key"),
        sa.Index("ix_comments_consultation_status", "consultation_id", "status"),
        # The feedback report's paginated list in submission order (responses area).
        sa.Index(
            "ix_comments_consultation_order", "consultation_id", "status", "submitted_at", "id"
        ),
        # An offline opinion filed twice from the same source (a hearing statement
        # re-sent) stays one comment, even when two requests race.
        sa.Index(
            "uq_comments_consultation_source_ref",
            "consultation_id",
            "source_ref",
            unique=True,
            sqlite_where=sa.text("source_ref != ''"),
            postgresql_where=sa.text("source_ref != ''"),
        ),
        # Receipts still to be mailed: a few rows at most, found without a scan.
        sa.Index(
            "ix_comments_receipt_pending",
            "id",
            sqlite_where=sa.text("receipt_pending"),
            postgresql_where=sa.text("receipt_pending"),
        ),
        # Held comments the organizers have not yet been told about (a few rows at most).
        sa.Index(
            "ix_comments_review_notice_pending",
            "consultation_id",
            sqlite_where=sa.text("review_notice_pending"),
            postgresql_where=sa.text("review_notice_pending"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(sa.String(32), unique=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"))
    article_id: Mapped[int | None] = mapped_column(sa.ForeignKey("articles.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Commenting as an organization the author belongs to.
    as_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    # Offline opinions: the name as given on the letter or the attendance list.
    author_label: Mapped[str] = mapped_column(sa.String(200), default="")
    channel: Mapped[Channel] = mapped_column(
        enum_column(Channel, "comment_channel"), default=Channel.online
    )
    publish_mode: Mapped[PublishMode] = mapped_column(
        enum_column(PublishMode, "publish_mode"), default=PublishMode.named
    )
    body: Mapped[str] = mapped_column(sa.Text)  # as written; never published directly
    published_body: Mapped[str] = mapped_column(sa.Text)  # personal data masked
    flagged_words: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[CommentStatus] = mapped_column(
        enum_column(CommentStatus, "comment_status"), default=CommentStatus.accepted
    )
    moderation_reason: Mapped[str] = mapped_column(sa.Text, default="")
    moderated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(80))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment_groups.id"), index=True)
    # Organizer who entered an offline opinion, and when it was received.
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    received_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Contact details of an offline author, purged once answered (PIPL minimum).
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    # Where the opinion came from outside this feature, e.g. "event:12/application:7".
    source_ref: Mapped[str] = mapped_column(sa.String(80), default="", index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The receipt mail is still to be sent. The comment row is its own outbox entry,
    # committed with the comment; a sweep task mails it (participation.sweeps).
    receipt_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Held for review and not yet in a mail to the organizers (consultations.held_notice).
    review_notice_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    consultation: Mapped[Consultation] = relationship()
    article: Mapped[Article | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    as_organization: Mapped[Organization | None] = relationship()
    group: Mapped[CommentGroup | None] = relationship(back_populates="comments")
    response: Mapped[Response | None] = relationship(
        back_populates="comment", uselist=False, foreign_keys="Response.comment_id"
    )
