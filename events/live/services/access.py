"""Loading a session and deciding who may watch, take part or moderate."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from events.models import Event
from events.services.permissions import can_view_event, is_event_moderator
from events.services.permissions import require_event_moderator as _require_event_moderator
from participation.db import db
from participation.errors import NotFound, PermissionDenied
from participation.models import User
from participation.permissions import require_verified

from ..models import LiveBan, LiveSession


def get_session(session_id: int, user: User | None = None, *, lock: bool = False) -> LiveSession:
    """A session the user may see (draft events stay with their organization)."""
    # One round trip for both: joins of thousands of viewers go through here.
    stmt = (
        sa.select(LiveSession, Event)
        .join(Event, Event.id == LiveSession.event_id)
        .where(LiveSession.id == session_id)
    )
    if lock:
        stmt = stmt.with_for_update()
    row = db.session.execute(stmt).first()
    if row is None or not can_view_event(user, row[1]):
        raise NotFound(_("This live session does not exist."))
    return row[0]


def event_of(session: LiveSession) -> Event:
    return db.session.get(Event, session.event_id)  # type: ignore[return-value]


def is_moderator(user: User | None, session: LiveSession) -> bool:
    if not user or not getattr(user, "is_authenticated", False):
        return False
    return is_event_moderator(user, event_of(session))


def require_moderator(user: User | None, session: LiveSession) -> User:
    return _require_event_moderator(user, event_of(session))


def is_banned(user: User | None, session: LiveSession) -> bool:
    if not user or not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            sa.select(LiveBan.id).where(
                LiveBan.session_id == session.id, LiveBan.user_id == user.id
            )
        )
        is not None
    )


def require_participant(user: User | None, session: LiveSession) -> User:
    """Signed in with a confirmed address and not banned from this session: may ask and vote."""
    require_verified(user)
    if is_banned(user, session):
        raise PermissionDenied(
            _("You can still watch, but the moderators have stopped you taking part.")
        )
    return user  # type: ignore[return-value]
