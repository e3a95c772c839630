"""Who may run an event. Shared by views, the API and the live Q&A (events.live)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.db import db
from participation.errors import PermissionDenied
from participation.models import User
from participation.permissions import is_organizer_of, require_organizer, require_signed_in

from ..models import Event, EventModerator


def is_event_organizer(user: User | None, event: Event) -> bool:
    """Staff of the event's organization, or an admin."""
    return is_organizer_of(user, event.organization_id)


def require_event_organizer(user: User | None, event: Event) -> User:
    return require_organizer(user, event.organization_id)


def is_event_moderator(user: User | None, event: Event) -> bool:
    """A moderator named for this event; organizers of its organization and admins too."""
    if not user or not getattr(user, "is_authenticated", False):
        return False
    if is_event_organizer(user, event):
        return True
    return (
        db.session.scalar(
            sa.select(EventModerator.id).where(
                EventModerator.event_id == event.id, EventModerator.user_id == user.id
            )
        )
        is not None
    )


def require_event_moderator(user: User | None, event: Event) -> User:
    require_signed_in(user)
    if not is_event_moderator(user, event):
        raise PermissionDenied(_("Only the moderators of this event may do this."))
    return user  # type: ignore[return-value]


def can_view_event(user: User | None, event: Event) -> bool:
    """Drafts are visible to their organization only."""
    return event.is_public or is_event_organizer(user, event)
