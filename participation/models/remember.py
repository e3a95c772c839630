from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utcnow


class RememberToken(db.Model):
    """A "stay signed in" token of one browser (participation.signin).

    Only a hash is stored; the token is replaced each time it restores a session and
    deleted when its owner signs out or resets the password."""

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when a successor was issued; the old token still works for a few seconds, for
    # the other requests a browser sent at the same moment with it.
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
