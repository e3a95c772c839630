"""The event texts that are published and so screened for personal data.

Outcomes, reasons, materials and the names and affiliations in
the published participant list (see participation.public_text;
events.live registers the live answers). An event's description
and place are not listed: they carry the organizer's own contact channels.
"""

from __future__ import annotations

from participation.public_text import screen_columns


def register() -> None:
    from .models import Application, Event, EventChange, EventMaterial, RecordEntry

    screen_columns(
        Event.outcome,
        Event.opinions_handling,
        Event.cancel_reason,
        EventChange.reason,
        EventChange.changes,  # [old, new] of each changed field, outcome included
        EventMaterial.title,
        EventMaterial.body,
        Application.full_name,
        Application.affiliation,
        RecordEntry.speaker_label,
    )
