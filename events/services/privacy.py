"""Personal data of applicants: the account's data export and erasure (PIPL)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.db import db, utcnow
from participation.models import User

from ..models import ACTIVE, Application, ApplicationStatus, RecordEntry
from .notifications import notify
from .seats import fill_free_seats, lock_event


def export_for(user: User) -> dict[str, Any]:
    rows = db.session.scalars(sa.select(Application).where(Application.user_id == user.id))
    return {
        "event_applications": [
            {
                "event": a.event.title,
                "event_id": a.event_id,
                "category": a.category_key,
                "name": a.full_name,
                "affiliation": a.affiliation,
                "statement": a.statement,
                "phone": a.phone,
                "id_number_held": a.id_number is not None,
                "status": a.status.value,
                "applied_at": a.applied_at.isoformat(),
                "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None,
            }
            for a in rows
        ]
    }


def erase_for(user: User) -> None:
    """Withdraw what is still ahead (the seats go to the waitlist) and anonymise the rest;
    statements stay in the record without the name."""
    label = _("Deleted user")
    now = utcnow()
    for application in db.session.scalars(
        sa.select(Application).where(Application.user_id == user.id)
    ).all():
        if application.status in ACTIVE and not application.event.has_started(now):
            event = lock_event(application.event_id)
            held = application.holds_seat
            application.status = ApplicationStatus.withdrawn
            application.offer_expires_at = None
            if held:
                notify(fill_free_seats(event, application.category_key, now), "offered")
        application.full_name = label
        application.affiliation = ""
        application.phone = ""
        application.id_number = None
        application.user_id = None
        db.session.execute(
            sa.update(RecordEntry)
            .where(RecordEntry.application_id == application.id)
            .values(speaker_label=label)
            .execution_options(synchronize_session=False)
        )
