"""Who may do what. Services call these; views, sockets, API and CLI share them."""

from __future__ import annotations

from flask_babel import gettext as _

from .errors import EmailNotVerified, PermissionDenied
from .models import User


def is_admin(user: User | None) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_admin)


def is_organizer_of(user: User | None, organization_id: int | None) -> bool:
    if not user or not getattr(user, "is_authenticated", False) or organization_id is None:
        return False
    return is_admin(user) or organization_id in user.organization_ids


def require_signed_in(user: User | None) -> User:
    if not user or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Please sign in first."))
    return user


def require_verified(user: User | None) -> User:
    """Signed in with a confirmed email address: needed to publish or take a seat.

    Accounts are free to create; a confirmed address keeps throw-away accounts from
    commenting, applying, asking or voting the moment they exist.
    """
    require_signed_in(user)
    if user.email_verified_at is None:  # type: ignore[union-attr]
        raise EmailNotVerified(
            _(
                "Please confirm your email address first: open the link we sent you, "
                "or ask for a new one on your account page."
            )
        )
    return user  # type: ignore[return-value]


def require_admin(user: User | None) -> User:
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may do this."))
    return user  # type: ignore[return-value]


def require_organizer(user: User | None, organization_id: int | None) -> User:
    """Staff of the owning organization (or an admin); others get 403."""
    require_signed_in(user)
    if not is_organizer_of(user, organization_id):
        raise PermissionDenied(_("Only staff of the responsible agency may do this."))
    return user  # type: ignore[return-value]
