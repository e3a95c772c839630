"""The check-in link that QR codes carry."""

from __future__ import annotations

from participation.links import external_url


def checkin_url(event_id: int, code: str) -> str:
    """What the QR code holds: the organizer's check-in page with the code filled in."""
    return external_url("events.checkin", event_id=event_id, code=code)
