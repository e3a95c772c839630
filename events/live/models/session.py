from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from participation.db import UTCDateTime, db, enum_column, utcnow


class SessionState(enum.StrEnum):
    scheduled = "scheduled"
    live = "live"
    paused = "paused"  # the stream is interrupted; the page stays open
    ended = "ended"


class QaState(enum.StrEnum):
    open = "open"
    paused = "paused"  # temporarily not taking questions (e.g. during a speech)
    closed = "closed"


class StreamKind(enum.StrEnum):
    hls = "hls"  # an .m3u8 URL played in <video> (hls.js where HLS is not native)
    embed = "embed"  # a provider's player page shown in an iframe


class LiveSession(db.Model):
    """The livestreamed Q&A of one event (an open day, an online interview).

    ``version`` and ``mod_version`` number the deltas of the public and the moderator
    streams; every change bumps them in the same transaction (see services.versions).
    """

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    stream_kind: Mapped[StreamKind] = mapped_column(
        enum_column(StreamKind, "live_stream_kind"), default=StreamKind.hls
    )
    stream_url: Mapped[str] = mapped_column(sa.String(500), default="")
    replay_url: Mapped[str] = mapped_column(sa.String(500), default="")
    state: Mapped[SessionState] = mapped_column(
        enum_column(SessionState, "live_session_state"), default=SessionState.scheduled
    )
    qa_state: Mapped[QaState] = mapped_column(
        enum_column(QaState, "live_qa_state"), default=QaState.open
    )
    premoderation: Mapped[bool] = mapped_column(default=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    went_live_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # offset zero
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Plain id, not a foreign key: questions already point at the session.
    on_screen_question_id: Mapped[int | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=0)
    mod_version: Mapped[int] = mapped_column(default=0)
    comments_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def room(self) -> str:
        return f"live:{self.id}"

    @property
    def mod_room(self) -> str:
        return f"live:{self.id}:mod"

    def offset_seconds(self, at: datetime | None) -> int | None:
        """Seconds since the stream went live: a replay jumps there with #t=."""
        if at is None or self.went_live_at is None:
            return None
        return max(0, int((at - self.went_live_at).total_seconds()))


class LiveBan(db.Model):
    """A participant who may still watch but no longer ask or vote in this session."""

    __tablename__ = "live_bans"
    __table_args__ = (sa.UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    banned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
