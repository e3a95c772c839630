"""A person's application to attend an event, and its single current state."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow
from participation.models import User

if TYPE_CHECKING:
    from .event import Event


class ApplicationStatus(enum.StrEnum):
    applied = "applied"  # waiting for the selection (lottery mode)
    confirmed = "confirmed"  # holds a seat
    offered = "offered"  # a freed seat is held for them until offer_expires_at
    waitlisted = "waitlisted"
    withdrawn = "withdrawn"  # by the applicant
    declined = "declined"  # turned down an offered seat
    expired = "expired"  # let an offer lapse
    rejected = "rejected"  # not eligible (with a reason told to the applicant)
    cancelled = "cancelled"  # the event was cancelled


# States that occupy a seat: their count never exceeds the category quota.
SEAT_HOLDING = (ApplicationStatus.confirmed, ApplicationStatus.offered)
# States from which the applicant may still withdraw.
ACTIVE = (
    ApplicationStatus.applied,
    ApplicationStatus.confirmed,
    ApplicationStatus.offered,
    ApplicationStatus.waitlisted,
)


class Application(db.Model):
    """A person's application to an event (报名): at most one that is not withdrawn.
    Contact data is purged after the event."""

    __tablename__ = "event_applications"
    __table_args__ = (
        # One current application per person and event. A withdrawn one stays for the
        # record and does not count, so the person may apply again while sign-up is open.
        sa.Index(
            "uq_event_applications_current",
            "event_id",
            "user_id",
            unique=True,
            postgresql_where=sa.text("status != 'withdrawn'"),
            sqlite_where=sa.text("status != 'withdrawn'"),
        ),
        sa.UniqueConstraint("checkin_code"),
        sa.Index("ix_event_applications_event_status", "event_id", "category_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    category_key: Mapped[str] = mapped_column(sa.String(40))
    # Published in the participant list (names and affiliations only).
    full_name: Mapped[str] = mapped_column(sa.String(50))
    affiliation: Mapped[str] = mapped_column(sa.String(200), default="")
    # The views they intend to present; seen by the organizer, never published as such.
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")  # optional, purged later
    # Only for events with on-site identity checks, with explicit consent; purged after.
    id_number: Mapped[str | None] = mapped_column(sa.String(18))
    id_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status"), default=ApplicationStatus.applied
    )
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")
    waitlist_position: Mapped[int | None] = mapped_column()
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_code: Mapped[str] = mapped_column(sa.String(16))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    materials_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE
