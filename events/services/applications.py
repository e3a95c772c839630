"""Applying, withdrawing and answering a seat offer: the applicant's side of sign-up."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, Gone, NotFound, PermissionDenied, ServiceError
from participation.models import User
from participation.permissions import require_signed_in, require_verified
from participation.screening import is_valid_id_number

from ..models import Application, ApplicationStatus, Event, EventKind, SelectionMode
from .notifications import notify
from .permissions import can_view_event
from .seats import category_state, fill_free_seats, lock_event, lock_open_event
from .selection import draw_of

MAX_STATEMENT = 2000
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")
# No 0/O/1/I: codes are read aloud and typed on phones at the door.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_checkin_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def application_of(user: User | None, event: Event) -> Application | None:
    """The person's latest application to the event (earlier ones were withdrawn)."""
    if not user or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Application)
        .where(Application.event_id == event.id, Application.user_id == user.id)
        .order_by(Application.id.desc())
        .limit(1)
    )


def why_not_again(event: Event) -> str | None:
    """Why someone who withdrew cannot apply again now; None if they can."""
    state = event.signup_state()
    if state == "not_yet":
        return _("Sign-up has not opened yet.")
    if state != "open" or event.is_cancelled or event.has_started():
        return _("Sign-up is closed, so you cannot apply again.")
    if event.selection_mode == SelectionMode.lottery and draw_of(event) is not None:
        return _("The applicant list for the draw is fixed, so you cannot apply again.")
    return None


def _refuse_duplicate(user: User, event: Event) -> None:
    previous = application_of(user, event)
    if previous is None:
        return
    if previous.status != ApplicationStatus.withdrawn:
        raise Conflict(_("You have already applied to this event; each person applies once."))
    reason = why_not_again(event)
    if reason:
        raise Gone(reason)


def _clean(form: dict[str, str], event: Event) -> dict[str, object]:
    """Validate the sign-up form; every refusal names its field."""
    category_key = (form.get("category") or "").strip()
    if event.category(category_key) is None:
        raise ServiceError(_("Please choose a participant category."), field="category")
    full_name = (form.get("full_name") or "").strip()
    if not full_name or len(full_name) > 50:
        raise ServiceError(_("Please give your name (at most 50 characters)."), field="full_name")
    affiliation = (form.get("affiliation") or "").strip()
    if len(affiliation) > 200:
        raise ServiceError(
            _("The affiliation is too long (at most 200 characters)."), field="affiliation"
        )
    statement = (form.get("statement") or "").strip()
    if len(statement) > MAX_STATEMENT:
        raise ServiceError(
            _("The statement is too long (at most %(n)d characters).", n=MAX_STATEMENT),
            field="statement",
        )
    if event.kind == EventKind.hearing and len(statement) < 10:
        raise ServiceError(
            _("Please summarise the views you intend to present (at least 10 characters)."),
            field="statement",
        )
    phone = (form.get("phone") or "").strip()
    if phone and not _PHONE.match(phone):
        raise ServiceError(_("This does not look like a phone number."), field="phone")
    id_number = None
    if event.requires_id_check:
        id_number = (form.get("id_number") or "").strip().upper()
        if not is_valid_id_number(id_number):
            raise ServiceError(
                _("Please enter a valid resident identity card number."), field="id_number"
            )
        if form.get("id_consent") != "yes":
            raise ServiceError(
                _("Please agree to the use of your ID number for the identity check."),
                field="id_consent",
            )
    return {
        "category_key": category_key,
        "full_name": full_name,
        "affiliation": affiliation,
        "statement": statement,
        "phone": phone,
        "id_number": id_number,
    }


def apply(user: User | None, event: Event, form: dict[str, str]) -> Application:
    """Apply once per event, or again after withdrawing while sign-up is open (a new
    application; the withdrawn one stays for the record). First come: confirmed while
    seats last, else waitlisted at the back. Lottery: kept as applied until the
    selection after sign-up closes."""
    user = require_verified(user)  # a seat needs a confirmed address
    if not can_view_event(user, event):
        raise NotFound(_("This event does not exist."))
    state = event.signup_state()
    if state != "open":
        raise Gone(
            _("Sign-up has not opened yet.") if state == "not_yet" else _("Sign-up is closed.")
        )
    data = _clean(form, event)
    _refuse_duplicate(user, event)  # the usual double submit, before any lock
    now = utcnow()
    # From here on no other sign-up or withdrawal of this event interleaves.
    if not lock_open_event(event.id, now):
        raise Gone(_("Sign-up is closed."))
    _refuse_duplicate(user, event)  # a withdrawal or sign-up of the same person just committed
    application = Application(
        event_id=event.id,
        user_id=user.id,
        checkin_code=new_checkin_code(),
        id_consent_at=now if data["id_number"] else None,
        applied_at=now,
        **data,
    )
    if event.selection_mode == SelectionMode.first_come:
        quota, held, last_position = category_state(event.id, application.category_key)
        if held < quota:
            application.status = ApplicationStatus.confirmed
        else:
            application.status = ApplicationStatus.waitlisted
            application.waitlist_position = last_position + 1
    else:
        application.status = ApplicationStatus.applied
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError as exc:  # a simultaneous duplicate: the unique key decides
        raise Conflict(
            _("You have already applied to this event; each person applies once.")
        ) from exc
    notify([application.id], application.status.value)
    return application


def own_application(user: User | None, application_id: int) -> Application:
    """The signed-in person's own application: 404 if none, 403 if someone else's."""
    user = require_signed_in(user)
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(_("This application does not exist."))
    if application.user_id != user.id:
        raise PermissionDenied(_("This is not your application."))
    return application


def withdraw(user: User | None, application_id: int) -> Application:
    application = own_application(user, application_id)
    event = lock_event(application.event_id)
    db.session.refresh(application)
    if not application.is_active:
        raise Conflict(_("This application is no longer active."))
    if event.has_started():
        raise Gone(_("The event has started; applications can no longer be withdrawn."))
    held = application.holds_seat
    previous = application.status.value
    application.status = ApplicationStatus.withdrawn
    application.offer_expires_at = None
    offered = fill_free_seats(event, application.category_key) if held else []
    audit.record(
        user,
        "event.application_withdraw",
        "application",
        application.id,
        data={"event": event.id, "from": previous, "seat_offered_to": offered},
    )
    notify([application.id], "withdrawn")
    notify(offered, "offered")
    return application


def accept_offer(user: User | None, application_id: int) -> Application:
    application = own_application(user, application_id)
    lock_event(application.event_id)
    db.session.refresh(application)
    if application.status != ApplicationStatus.offered:
        raise Conflict(_("There is no open seat offer on this application."))
    if application.offer_expires_at is None or application.offer_expires_at <= utcnow():
        raise Gone(_("This seat offer has expired."))
    application.status = ApplicationStatus.confirmed
    application.offer_expires_at = None
    notify([application.id], "confirmed")
    return application


def decline_offer(user: User | None, application_id: int) -> Application:
    application = own_application(user, application_id)
    event = lock_event(application.event_id)
    db.session.refresh(application)
    if application.status != ApplicationStatus.offered:
        raise Conflict(_("There is no open seat offer on this application."))
    application.status = ApplicationStatus.declined
    application.offer_expires_at = None
    notify(fill_free_seats(event, application.category_key), "offered")
    return application


def events_with_overdue_offers() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Application.event_id)
            .where(
                Application.status == ApplicationStatus.offered,
                Application.offer_expires_at <= utcnow(),
            )
            .distinct()
        )
    )


def expire_offers(event_id: int) -> int:
    """Lapse the overdue offers of one event and pass each seat to the next in line."""
    now = utcnow()
    event = lock_event(event_id)
    overdue = db.session.scalars(
        sa.select(Application).where(
            Application.event_id == event_id,
            Application.status == ApplicationStatus.offered,
            Application.offer_expires_at <= now,
        )
    ).all()
    for application in overdue:
        application.status = ApplicationStatus.expired
    notify([a.id for a in overdue], "offer_expired")
    for key in sorted({a.category_key for a in overdue}):
        notify(fill_free_seats(event, key, now), "offered")
    return len(overdue)
