from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow

if TYPE_CHECKING:
    from .comment import Comment
    from .consultation import Consultation
    from .response import Response


class EditionStatus(enum.StrEnum):
    draft = "draft"  # an addendum written by one organizer, waiting for a second
    published = "published"  # fixed for good: never changed, always readable


class EntryChange(enum.StrEnum):
    """How an entry differs from the previous edition (None: unchanged)."""

    added = "added"  # an opinion not listed before
    changed = "changed"  # listed before with another response


class ReportEdition(db.Model):
    """One published version of a consultation's feedback report (版本).

    Version 1 is the report as first published; each later number is an addendum. A
    published edition is a record: its entries and figures are frozen at publication,
    so what anyone cited stays readable at /consultations/<id>/feedback/v/<number>.
    """

    __tablename__ = "report_editions"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(sa.ForeignKey("consultations.id"), index=True)
    number: Mapped[int]
    status: Mapped[EditionStatus] = mapped_column(
        enum_column(EditionStatus, "edition_status"), default=EditionStatus.draft
    )
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # What changed since the previous edition, in the organizers' words (addenda).
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The figures as published (counts, per channel, per outcome, per day, groups, what
    # changed): computed once from the entries, so the page never aggregates 100k rows.
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    drafted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status == EditionStatus.published


class ReportEntry(db.Model):
    """One opinion as an edition lists it, with the response that answered it then.

    ``position`` numbers the entries 1..n in submission order, so any page of any
    edition is a primary-key range read, as cheap on page 2,000 as on page 1.
    """

    __tablename__ = "report_entries"
    __table_args__ = (sa.Index("ix_report_entries_edition_comment", "edition_id", "comment_id"),)

    edition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report_editions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"))
    # None only in reports published before editions existed without every answer.
    response_id: Mapped[int | None] = mapped_column(sa.ForeignKey("responses.id"))
    change: Mapped[EntryChange | None] = mapped_column(enum_column(EntryChange, "entry_change"))
    # The text as published then (masked; empty for a private opinion): a statement
    # re-filed later with a corrected text does not rewrite an edition already out.
    text: Mapped[str] = mapped_column(sa.Text, default="")

    comment: Mapped[Comment] = relationship()
    response: Mapped[Response | None] = relationship()
