"""Core models: accounts, organizations, audit trail, outgoing mail."""

from .accounts import Membership, Organization, User
from .announcements import Announcement
from .audit import AuditEntry
from .mail import OutboxMail
from .remember import RememberToken

__all__ = [
    "AuditEntry",
    "Announcement",
    "Membership",
    "Organization",
    "OutboxMail",
    "RememberToken",
    "User",
]
