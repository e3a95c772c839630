"""Satisfaction evaluations (满意度评价) by attendees; only aggregates are published."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.db import UTCDateTime, db, utcnow


class Evaluation(db.Model):
    __tablename__ = "event_evaluations"
    __table_args__ = (
        sa.UniqueConstraint("application_id"),
        sa.CheckConstraint("overall BETWEEN 1 AND 5", name="overall_range"),
        sa.CheckConstraint("organisation BETWEEN 1 AND 5", name="organisation_range"),
        sa.CheckConstraint("heard BETWEEN 1 AND 5", name="heard_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_applications.id", ondelete="CASCADE")
    )
    overall: Mapped[int]  # overall satisfaction
    organisation: Mapped[int]  # notice, materials, venue
    heard: Mapped[int]  # "my views were heard"
    remarks: Mapped[str] = mapped_column(sa.Text, default="")  # for the organizer only
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
