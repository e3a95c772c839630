from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow

if TYPE_CHECKING:
    from .decision import Decision
    from .draft import DraftVersion


class ModerationMode(enum.StrEnum):
    pre = "pre"  # comments appear once a moderator accepts them
    post = "post"  # comments appear at once; flagged ones wait for review


class Consultation(db.Model):
    """A public comment period (征求意见) on one draft version.

    Its state (scheduled, open, closed, reported) is derived from the window and
    the report's publication, so nothing depends on a job running on time.
    """

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_versions.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Required and shown in the notice when the window is under the legal minimum.
    short_window_reason: Mapped[str] = mapped_column(sa.Text, default="")
    postal_address: Mapped[str] = mapped_column(sa.String(300), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")  # the agency's, public
    moderation: Mapped[ModerationMode] = mapped_column(
        enum_column(ModerationMode, "moderation_mode"), default=ModerationMode.post
    )
    report_summary: Mapped[str] = mapped_column(sa.Text, default="")
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the organizers were last mailed that opinions wait for review (one per window).
    review_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    decision: Mapped[Decision] = relationship(back_populates="consultations")
    draft: Mapped[DraftVersion] = relationship()
    extensions: Mapped[list[ConsultationExtension]] = relationship(
        back_populates="consultation", order_by="ConsultationExtension.at"
    )

    def state(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.report_published_at is not None:
            return "reported"
        if now < self.opens_at:
            return "scheduled"
        if now < self.closes_at:
            return "open"
        return "closed"

    def is_open(self, now: datetime | None = None) -> bool:
        return self.state(now) == "open"


class ConsultationExtension(db.Model):
    """A recorded extension of the comment window, shown in the notice."""

    __tablename__ = "consultation_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    old_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    new_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.Text)

    consultation: Mapped[Consultation] = relationship(back_populates="extensions")
