"""The hearing record: organizers write each part, participants confirm (sign) theirs,
and statements are filed as comments on the decision so they receive a response."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consultations.models import Channel, Consultation
from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, NotFound, PermissionDenied, ServiceError
from participation.models import User
from participation.permissions import require_signed_in

from ..models import Application, ApplicationStatus, Event, EventKind, RecordEntry
from .notifications import notify
from .permissions import require_event_organizer

CHANNEL_OF_KIND = {
    EventKind.hearing: Channel.hearing,
    EventKind.symposium: Channel.symposium,
    EventKind.observed_meeting: Channel.meeting,
    EventKind.open_day: Channel.open_day,
}
MAX_BODY = 10_000


def entries(event: Event) -> list[RecordEntry]:
    return list(
        db.session.scalars(
            sa.select(RecordEntry)
            .where(RecordEntry.event_id == event.id)
            .order_by(RecordEntry.position, RecordEntry.id)
        )
    )


def add_entry(
    actor: User, event: Event, *, body: str, application_id: int | None = None, speaker: str = ""
) -> RecordEntry:
    """Record what a participant (or another speaker) said."""
    require_event_organizer(actor, event)
    if not event.has_started():
        raise Conflict(_("The record is written once the event has started."))
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise ServiceError(_("Write the statement (at most 10,000 characters)."), field="body")
    application = None
    if application_id:
        application = db.session.get(Application, application_id)
        if application is None or application.event_id != event.id:
            raise NotFound(_("This participant is not part of the event."), field="application_id")
        if application.status != ApplicationStatus.confirmed:
            raise Conflict(
                _("Only participants with a seat can be in the record."), field="application_id"
            )
        speaker = application.full_name + (
            f"（{application.affiliation}）" if application.affiliation else ""
        )
    speaker = speaker.strip()
    if not speaker:
        raise ServiceError(_("Choose a participant or name the speaker."), field="application_id")
    position = (
        db.session.scalar(
            sa.select(sa.func.max(RecordEntry.position)).where(RecordEntry.event_id == event.id)
        )
        or 0
    ) + 1
    entry = RecordEntry(
        event_id=event.id,
        application_id=application.id if application else None,
        speaker_label=speaker[:200],
        body=body,
        position=position,
        recorded_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    if application:
        notify([application.id], "record")
    audit.record(actor, "event.record_add", "record_entry", entry.id)
    return entry


def edit_entry(actor: User, entry: RecordEntry, body: str, reason: str) -> RecordEntry:
    """A correction after a participant's request; their signature must be given again."""
    event = db.session.get(Event, entry.event_id)
    require_event_organizer(actor, event)
    body = body.strip()
    if not body or len(body) > MAX_BODY:
        raise ServiceError(_("Write the statement (at most 10,000 characters)."), field="body")
    if entry.comment_id is not None:
        raise Conflict(_("This statement has been filed as a comment and cannot change."))
    if len(reason.strip()) < 5:
        raise ServiceError(_("Say why the record changes."), field="reason")
    old = entry.body
    entry.body = body
    entry.confirmed_at = None
    entry.correction_request = ""
    if entry.application_id:
        notify([entry.application_id], "record")
    audit.record(
        actor, "event.record_edit", "record_entry", entry.id, reason=reason, data={"old": old}
    )
    return entry


def _own_entry(user: User | None, entry_id: int) -> RecordEntry:
    user = require_signed_in(user)
    entry = db.session.get(RecordEntry, entry_id)
    if entry is None:
        raise NotFound(_("This part of the record does not exist."))
    if entry.application is None or entry.application.user_id != user.id:
        raise PermissionDenied(_("Only the speaker can confirm their part of the record."))
    return entry


def confirm_entry(user: User | None, entry_id: int) -> RecordEntry:
    """The participant's online signature of their part."""
    entry = _own_entry(user, entry_id)
    if entry.confirmed_at is not None:
        raise Conflict(_("You have already confirmed this part."))
    entry.confirmed_at = utcnow()
    entry.correction_request = ""
    return entry


def request_correction(user: User | None, entry_id: int, text: str) -> RecordEntry:
    entry = _own_entry(user, entry_id)
    text = text.strip()
    if len(text) < 5 or len(text) > 2000:
        raise ServiceError(
            _("Describe the correction (5 to 2,000 characters)."), field="correction"
        )
    if entry.comment_id is not None:
        raise Conflict(_("This statement has already been filed and answered as a comment."))
    entry.correction_request = text
    entry.confirmed_at = None
    return entry


def target_consultation(event: Event) -> Consultation | None:
    """The decision's latest consultation, where the statements are filed."""
    if event.decision is None or not event.decision.consultations:
        return None
    return max(event.decision.consultations, key=lambda c: (c.opens_at, c.id))


def file_entries(actor: User, event: Event) -> tuple[int, str]:
    """File every not yet filed statement as a comment. Returns (filed, note)."""
    from consultations.services.comments import enter_offline_comment

    require_event_organizer(actor, event)
    consultation = target_consultation(event)
    pending = [e for e in entries(event) if e.comment_id is None]
    if consultation is None:
        note = _("The event concerns no decision with a consultation; statements are kept here.")
        for entry in pending:
            entry.filing_note = note[:300]
        return 0, note
    filed = 0
    for entry in pending:
        user = entry.application.user if entry.application else None
        comment = enter_offline_comment(
            actor,
            consultation,
            channel=CHANNEL_OF_KIND[event.kind],
            body=entry.body,
            author_label=entry.speaker_label,
            author=user,
            source_ref=f"event:{event.id}/record:{entry.id}",
        )
        entry.comment_id = comment.id
        entry.filing_note = "" if entry.confirmed_at else "unconfirmed"
        filed += 1
    audit.record(actor, "event.record_file", "event", event.id, data={"filed": filed})
    return filed, ""
