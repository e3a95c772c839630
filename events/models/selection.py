"""The verifiable lottery of one event: seed hash first, the full document after the draw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.db import UTCDateTime, db


class SelectionDraw(db.Model):
    """One per event. The seed stays secret until the draw (docs/lottery.md)."""

    __tablename__ = "event_selection_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    seed_hash: Mapped[str] = mapped_column(sa.String(64))
    seed: Mapped[str] = mapped_column(sa.String(64))  # secret until drawn_at
    # Fixed when the hash is published: {"category": {"seats": n, "applicants": [...]}}.
    frozen: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    committed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The published selection document (events.lottery.publication), verbatim.
    document: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
