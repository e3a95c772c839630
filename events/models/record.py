"""The hearing record: each participant's statement, confirmed (signed) by them online."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, utcnow

from .application import Application


class RecordEntry(db.Model):
    """One person's part of the record (听证笔录), or an observer's opinion."""

    __tablename__ = "event_record_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_applications.id", ondelete="SET NULL"), index=True
    )
    speaker_label: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # The participant's signature; any edit of the body clears it.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A correction the participant asks for instead of confirming.
    correction_request: Mapped[str] = mapped_column(sa.Text, default="")
    # Filed as a comment on the decision's consultation (consultations.comments).
    comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="SET NULL")
    )
    filing_note: Mapped[str] = mapped_column(sa.String(300), default="")

    application: Mapped[Application | None] = relationship()
