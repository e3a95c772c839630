"""Check-in at the door: by scanning the QR code or typing the code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, Gone, NotFound
from participation.models import User

from ..models import Application, ApplicationStatus, Event
from .permissions import require_event_moderator

# Doors open early; late arrivals are still recorded on the day.
CHECKIN_OPENS_BEFORE = timedelta(hours=12)
CHECKIN_CLOSES_AFTER = timedelta(hours=12)
_CODE_IN_URL = re.compile(r"[?&]code=([A-Za-z0-9]+)")


@dataclass(frozen=True)
class CheckinResult:
    application: Application
    already: bool  # scanned twice: say so, do not fail at the door


def normalise_code(raw: str) -> str:
    """Accept the code typed with spaces or dashes, or the whole URL inside the QR code."""
    raw = (raw or "").strip()
    match = _CODE_IN_URL.search(raw)
    if match:
        raw = match.group(1)
    return re.sub(r"[^A-Za-z0-9]", "", raw).upper()


def check_in(actor: User | None, event: Event, raw_code: str) -> CheckinResult:
    require_event_moderator(actor, event)
    now = utcnow()
    if event.is_cancelled:
        raise Conflict(_("This event was cancelled."))
    if now < event.starts_at - CHECKIN_OPENS_BEFORE:
        raise Conflict(_("Check-in opens on the day of the event."))
    if now > event.ends_at + CHECKIN_CLOSES_AFTER:
        raise Gone(_("Check-in for this event has closed."))
    code = normalise_code(raw_code)
    if not code:
        raise NotFound(_("Please type or scan a check-in code."), field="code")
    application = db.session.scalar(
        sa.select(Application).where(
            Application.event_id == event.id, Application.checkin_code == code
        )
    )
    if application is None:
        raise NotFound(
            _("No participant of this event has the code %(code)s.", code=code), field="code"
        )
    if application.status != ApplicationStatus.confirmed:
        raise Conflict(
            _("%(name)s does not hold a confirmed seat.", name=application.full_name), field="code"
        )
    if application.checked_in_at is not None:
        return CheckinResult(application, already=True)
    # Conditional update: two phones scanning the same code at once record one arrival.
    done = db.session.execute(
        sa.update(Application)
        .where(Application.id == application.id, Application.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(application)
    if done:
        audit.record(actor, "event.checkin", "application", application.id)
    return CheckinResult(application, already=done == 0)


@dataclass(frozen=True)
class Attendance:
    confirmed: int
    present: int
    by_category: dict[str, tuple[int, int]]  # key -> (confirmed, present)


def attendance(event: Event) -> Attendance:
    rows = db.session.execute(
        sa.select(
            Application.category_key,
            sa.func.count(Application.id),
            sa.func.count(Application.checked_in_at),
        )
        .where(Application.event_id == event.id, Application.status == ApplicationStatus.confirmed)
        .group_by(Application.category_key)
    ).all()
    by_category = {key: (n, present) for key, n, present in rows}
    return Attendance(
        confirmed=sum(n for n, _p in by_category.values()),
        present=sum(p for _n, p in by_category.values()),
        by_category=by_category,
    )
