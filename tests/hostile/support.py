"""Shared by the hostile-input tests: the demo accounts and the hostile values."""

from __future__ import annotations

from participation import demo
from participation.db import db
from participation.models import User

ROLES = ("anonymous", "resident", "organizer", "moderator", "admin")


def demo_user(role: str) -> User:
    return db.session.scalars(db.select(User).where(User.email == demo.ACCOUNTS[role][0])).one()
