from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, enum_column, utcnow
from participation.models import Organization, User


class QuestionStatus(enum.StrEnum):
    pending = "pending"  # waiting for a moderator (the default: pre-moderation)
    approved = "approved"  # public
    rejected = "rejected"  # never public; the reason stays private
    merged = "merged"  # a duplicate folded into merged_into_id


class AnswerMode(enum.StrEnum):
    live = "live"  # answered during the session
    written = "written"  # assigned to a department for a written answer afterwards


class Question(db.Model):
    """A resident's question. ``revision`` guards moderators against each other:
    an action names the revision it saw, and a stale one is a conflict."""

    __tablename__ = "live_questions"
    __table_args__ = (sa.Index("ix_live_questions_session_status", "session_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_sessions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The public name the asker chose; empty means "anonymous".
    author_label: Mapped[str] = mapped_column(sa.String(50), default="")
    original_body: Mapped[str] = mapped_column(sa.Text)  # as written, kept after edits
    body: Mapped[str] = mapped_column(sa.Text)  # current text (a moderator may fix typos)
    published_body: Mapped[str] = mapped_column(sa.Text)  # body with personal data masked
    flagged_words: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[QuestionStatus] = mapped_column(
        enum_column(QuestionStatus, "live_question_status"), default=QuestionStatus.pending
    )
    revision: Mapped[int] = mapped_column(default=1)
    reject_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_questions.id"))
    moderated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_screen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_mode: Mapped[AnswerMode | None] = mapped_column(
        enum_column(AnswerMode, "live_answer_mode")
    )
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_by: Mapped[str] = mapped_column(sa.String(120), default="")  # the official
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    written_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    department: Mapped[Organization | None] = relationship()

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012

    @property
    def is_public(self) -> bool:
        return self.status == QuestionStatus.approved

    @property
    def awaiting_written_answer(self) -> bool:
        return self.answer_mode == AnswerMode.written and self.answered_at is None


class QuestionVote(db.Model):
    """One upvote per person per question, enforced by the database."""

    __tablename__ = "live_question_votes"
    __table_args__ = (sa.UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("live_questions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
