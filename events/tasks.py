"""Celery tasks of the events feature: notifications and periodic jobs.

They take ids, are idempotent (state checks and sent-at marks) and commit once.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from celery import shared_task
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.db import db, utcnow
from participation.links import external_url, request_context_if_needed
from participation.mail import Attachment, send_template

from . import qr
from .ical import ics
from .links import checkin_url
from .models import Application, ApplicationStatus, Event, EventStatus
from .services import applications as applications_service

SUBJECTS = {
    "applied": _l("We received your application"),
    "confirmed": _l("Your seat is confirmed"),
    "waitlisted": _l("You are on the waitlist"),
    "offered": _l("A seat is free for you: please confirm"),
    "offer_expired": _l("Your seat offer has expired"),
    "withdrawn": _l("Your application is withdrawn"),
    "rejected": _l("Your application was not accepted"),
    "not_selected": _l("You were not selected"),
    "materials": _l("Materials for the event"),
    "reminder": _l("Reminder: the event is tomorrow"),
    "changed": _l("The event has changed"),
    "cancelled": _l("The event is cancelled"),
    "record": _l("Please review your part of the record"),
}
# A mail about a state is only sent while the application is still in that state.
REQUIRED_STATUS = {
    "confirmed": ApplicationStatus.confirmed,
    "waitlisted": ApplicationStatus.waitlisted,
    "offered": ApplicationStatus.offered,
    "reminder": ApplicationStatus.confirmed,
    "materials": ApplicationStatus.confirmed,
}


def _attachments(kind: str, application: Application) -> list[Attachment]:
    event = application.event
    if kind not in {"confirmed", "changed", "cancelled"}:
        return []
    if kind != "confirmed" and application.status not in (
        ApplicationStatus.confirmed,
        ApplicationStatus.cancelled,
    ):
        return []
    files = [
        Attachment(
            f"event-{event.id}.ics",
            "text/calendar",
            ics(event, application, cancelled=kind == "cancelled"),
        )
    ]
    if kind != "cancelled":
        files.append(
            Attachment(
                f"checkin-{application.checkin_code}.png",
                "image/png",
                qr.png(checkin_url(event.id, application.checkin_code)),
            )
        )
    return files


def send_notice(application: Application, kind: str) -> bool:
    required = REQUIRED_STATUS.get(kind)
    if required is not None and application.status != required:
        return False  # the state moved on before the mail went out
    if application.user is None:
        return False
    event = application.event
    send_template(
        application.user,
        # Lazy: rendered in the recipient's language by send_template.
        _l("%(subject)s: %(title)s", subject=SUBJECTS[kind], title=event.title[:200]),
        f"mail/event_{kind}.txt",
        attachments=_attachments(kind, application),
        application=application,
        event=event,
        event_url=external_url("events.event_detail", event_id=event.id),
        mine_url=external_url("events.my_application", event_id=event.id),
        materials=event.materials,
    )
    return True


@shared_task(name="events.notify_applications")
def notify_applications(application_ids: list[int], kind: str) -> int:
    with request_context_if_needed():
        sent = 0
        for application_id in application_ids:
            application = db.session.get(Application, application_id)
            if application is not None and send_notice(application, kind):
                sent += 1
                if kind == "materials":
                    application.materials_sent_at = utcnow()
        db.session.commit()
        return sent


def _upcoming_confirmed(within: timedelta, mark: sa.Column) -> list[Application]:
    now = utcnow()
    return list(
        db.session.scalars(
            sa.select(Application)
            .join(Event, Event.id == Application.event_id)
            .where(
                Event.status == EventStatus.published,
                Event.starts_at > now,
                Event.starts_at <= now + within,
                Application.status == ApplicationStatus.confirmed,
                mark.is_(None),
            )
            .limit(500)
        )
    )


@shared_task(name="events.send_materials")
def send_materials() -> int:
    """Materials reach participants HEARING_MATERIALS_DAYS before (also late confirmations)."""
    with request_context_if_needed():
        days = current_app.config["HEARING_MATERIALS_DAYS"]
        due = _upcoming_confirmed(timedelta(days=days), Application.materials_sent_at)
        now = utcnow()
        for application in due:
            send_notice(application, "materials")
            application.materials_sent_at = now
            application.event.materials_sent_at = application.event.materials_sent_at or now
        db.session.commit()
        return len(due)


@shared_task(name="events.send_reminders")
def send_reminders() -> int:
    with request_context_if_needed():
        due = _upcoming_confirmed(timedelta(days=1), Application.reminder_sent_at)
        now = utcnow()
        for application in due:
            send_notice(application, "reminder")
            application.reminder_sent_at = now
        db.session.commit()
        return len(due)


@shared_task(name="events.expire_offers")
def expire_offers() -> int:
    with request_context_if_needed():
        expired = 0
        for event_id in applications_service.events_with_overdue_offers():
            expired += applications_service.expire_offers(event_id)
            db.session.commit()  # one event at a time: each lock is held briefly
        return expired


@shared_task(name="events.purge_personal_data")
def purge_personal_data() -> int:
    """PIPL minimum: ID numbers go when the event ends, phone numbers after a retention
    period; names, affiliations and statements stay for the public record."""
    now = utcnow()
    retention = timedelta(days=current_app.config.get("EVENT_CONTACT_RETENTION_DAYS", 30))
    ended = sa.select(Event.id).where(Event.ends_at <= now)
    ids = db.session.execute(
        sa.update(Application)
        .where(Application.event_id.in_(ended), Application.id_number.is_not(None))
        .values(id_number=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    old = sa.select(Event.id).where(Event.ends_at <= now - retention)
    phones = db.session.execute(
        sa.update(Application)
        .where(Application.event_id.in_(old), Application.phone != "")
        .values(phone="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.update(Event)
        .where(Event.id.in_(old), Event.personal_data_purged_at.is_(None))
        .values(personal_data_purged_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return ids + phones
