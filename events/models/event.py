"""The event aggregate: an event, its participant categories, moderators, materials and
its public change history (selection method revisions, notices of changes)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow
from participation.models import Organization, User
from participation.safe_links import link_kind

if TYPE_CHECKING:
    from consultations.models import Decision


class EventKind(enum.StrEnum):
    hearing = "hearing"  # 听证会
    symposium = "symposium"  # 座谈会
    observed_meeting = "observed_meeting"  # 列席 (government meeting open to observers)
    open_day = "open_day"  # 政府开放日


class EventStatus(enum.StrEnum):
    draft = "draft"  # visible to its organization only
    published = "published"
    cancelled = "cancelled"  # kept public, with the reason


class SelectionMode(enum.StrEnum):
    # Confirmed on the spot while seats last; then a waitlist in order of application.
    first_come = "first_come"
    # Applications are collected until sign-up closes; if any category is oversubscribed a
    # verifiable lottery (events/lottery.py) selects within each quota.
    lottery = "lottery"


class Event(db.Model):
    """A hearing, symposium, observed meeting or open day that people sign up to attend.

    Time-derived state (sign-up open, past) is computed from the stored windows, so nothing
    depends on a periodic job running on time.
    """

    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("signup_closes_at > signup_opens_at", name="signup_window"),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "event_kind"))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    decision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # Total seats: always the sum of the category quotas (kept by the service).
    seats: Mapped[int] = mapped_column(default=0)
    signup_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus, "event_status"), default=EventStatus.draft
    )
    selection_mode: Mapped[SelectionMode] = mapped_column(
        enum_column(SelectionMode, "selection_mode"), default=SelectionMode.first_come
    )
    # 遴选办法: published before sign-up opens; later changes need a public reason.
    selection_rules: Mapped[str] = mapped_column(sa.Text, default="")
    # On-site identity checks: only then an ID number is asked for, with this explanation.
    requires_id_check: Mapped[bool] = mapped_column(default=False)
    id_check_reason: Mapped[str] = mapped_column(sa.Text, default="")
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    participants_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Observed meetings (列席): what the meeting decided, how observers' views were handled.
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    opinions_handling: Mapped[str] = mapped_column(sa.Text, default="")
    outcome_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Secret HMAC key for lottery pseudonyms; never published (docs/lottery.md).
    lottery_salt: Mapped[str] = mapped_column(sa.String(64), default="")
    # Bumped by every seat-changing write: the conditional UPDATE doubles as a row lock
    # that works on PostgreSQL and SQLite alike (see services/seats.py).
    lock_version: Mapped[int] = mapped_column(default=0)
    # Idempotence marks of the periodic notification jobs.
    materials_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization] = relationship()
    decision: Mapped[Decision | None] = relationship()
    categories: Mapped[list[EventCategory]] = relationship(
        back_populates="event", order_by="EventCategory.position", cascade="all, delete-orphan"
    )
    moderators: Mapped[list[EventModerator]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    materials: Mapped[list[EventMaterial]] = relationship(
        back_populates="event", order_by="EventMaterial.id", cascade="all, delete-orphan"
    )
    changes: Mapped[list[EventChange]] = relationship(
        back_populates="event", order_by="EventChange.at", cascade="all, delete-orphan"
    )

    # ---- derived state -----------------------------------------------------------------

    @property
    def is_public(self) -> bool:
        return self.status != EventStatus.draft

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.cancelled

    def signup_state(self, now: datetime | None = None) -> str:
        """ "not_yet", "open", "closed" (window over) or "unavailable" (draft/cancelled)."""
        now = now or utcnow()
        if self.status != EventStatus.published:
            return "unavailable"
        if now < self.signup_opens_at:
            return "not_yet"
        if now < self.signup_closes_at and now < self.starts_at:
            return "open"
        return "closed"

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.starts_at

    def is_past(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.ends_at

    def category(self, key: str) -> EventCategory | None:
        return next((c for c in self.categories if c.key == key), None)


class EventCategory(db.Model):
    """A participant category with its seat quota (stakeholders, experts, deputies...)."""

    __tablename__ = "event_categories"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "key"),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    # Used in the lottery document: lowercase, no ':' (events/lottery.py).
    key: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(100))
    seats: Mapped[int] = mapped_column(default=0)
    # Counts towards the hearing's stakeholder share (HEARING_STAKEHOLDER_SHARE).
    is_stakeholder: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="categories")


class EventModerator(db.Model):
    """A person who moderates this event (e.g. the open-day live Q&A), per event."""

    __tablename__ = "event_moderators"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="moderators")
    user: Mapped[User] = relationship()


class EventMaterial(db.Model):
    """A document sent to participants before the event (besides the decision's draft)."""

    __tablename__ = "event_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="materials")

    @property
    def is_external(self) -> bool:
        """A link to another site (marked as such where it is shown)."""
        return link_kind(self.url) == "external"


class EventChange(db.Model):
    """A public change notice: time, place, seats, selection method, cancellation.

    Shown on the event page with its reason, so nothing changes silently.
    """

    __tablename__ = "event_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(30))  # details / selection_rules / cancelled
    # {"field": [old, new]} for every changed public field.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    event: Mapped[Event] = relationship(back_populates="changes")
