from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow
from participation.models import Organization

if TYPE_CHECKING:
    from .consultation import Consultation
    from .draft import DraftVersion


class Stage(enum.StrEnum):
    planned = "planned"
    drafting = "drafting"
    consulting = "consulting"
    deliberating = "deliberating"
    decided = "decided"
    implementing = "implementing"


class Catalogue(db.Model):
    """The yearly catalogue of major decisions (年度重大行政决策事项目录) of one level."""

    __tablename__ = "catalogues"
    __table_args__ = (sa.UniqueConstraint("year", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    level: Mapped[str] = mapped_column(sa.String(20), default="province")
    title: Mapped[str] = mapped_column(sa.String(200))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decisions: Mapped[list[Decision]] = relationship(back_populates="catalogue")


class Decision(db.Model):
    """A major administrative decision (重大行政决策) and every step of its life."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogues.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    number: Mapped[int] = mapped_column(default=0)  # position in the catalogue
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    planned_start: Mapped[date | None] = mapped_column(sa.Date)
    planned_end: Mapped[date | None] = mapped_column(sa.Date)
    stage: Mapped[Stage] = mapped_column(
        enum_column(Stage, "decision_stage"), default=Stage.planned
    )
    # Confidential items are never shown publicly, not even as a count.
    confidential: Mapped[bool] = mapped_column(default=False)
    # Steps after the consultation: deliberation (会议审议), the decision, its interpretation.
    deliberation: Mapped[str] = mapped_column(sa.Text, default="")
    deliberated_on: Mapped[date | None] = mapped_column(sa.Date)
    decision_text: Mapped[str] = mapped_column(sa.Text, default="")
    decided_on: Mapped[date | None] = mapped_column(sa.Date)
    interpretation: Mapped[str] = mapped_column(sa.Text, default="")
    withdrawn: Mapped[bool] = mapped_column(default=False)  # removed from the catalogue
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    catalogue: Mapped[Catalogue] = relationship(back_populates="decisions")
    organization: Mapped[Organization] = relationship()
    drafts: Mapped[list[DraftVersion]] = relationship(
        back_populates="decision", order_by="DraftVersion.version"
    )
    consultations: Mapped[list[Consultation]] = relationship(
        back_populates="decision", order_by="Consultation.opens_at"
    )
    adjustments: Mapped[list[DecisionAdjustment]] = relationship(
        back_populates="decision", order_by="DecisionAdjustment.at"
    )


class DecisionAdjustment(db.Model):
    """A change to a catalogue entry during the year, shown publicly with its reason."""

    __tablename__ = "decision_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # added / changed / withdrawn / stage
    # {"field": [old, new]} for every changed public field.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    decision: Mapped[Decision] = relationship(back_populates="adjustments")
