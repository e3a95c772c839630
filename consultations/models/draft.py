from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.db import UTCDateTime, db, utcnow

if TYPE_CHECKING:
    from .decision import Decision


class DraftVersion(db.Model):
    """One published version of a draft (决策草案) with its explanation (起草说明)."""

    __tablename__ = "draft_versions"
    __table_args__ = (sa.UniqueConstraint("decision_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("decisions.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    explanation: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    source: Mapped[str] = mapped_column(sa.Text, default="")  # the text as entered
    change_note: Mapped[str] = mapped_column(sa.Text, default="")
    is_final: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    decision: Mapped[Decision] = relationship(back_populates="drafts")
    articles: Mapped[list[Article]] = relationship(
        back_populates="draft", order_by="Article.number", cascade="all, delete-orphan"
    )


class Article(db.Model):
    """A numbered article (条) of a draft version, optionally under a chapter (章)."""

    __tablename__ = "articles"
    __table_args__ = (sa.UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_versions.id"), index=True)
    number: Mapped[int]  # 1-based, continuous across chapters
    chapter: Mapped[str] = mapped_column(sa.String(200), default="")
    label: Mapped[str] = mapped_column(sa.String(40))  # 第一条
    text: Mapped[str] = mapped_column(sa.Text)

    draft: Mapped[DraftVersion] = relationship(back_populates="articles")
