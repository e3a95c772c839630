"""Absolute links for mails and QR codes, also from tasks that run outside a request."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values: Any) -> str:
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["SERVER_NAME_PUBLIC"]):
        return url_for(endpoint, _external=True, **values)


def checkin_url(event_id: int, code: str) -> str:
    """What the QR code holds: the organizer's check-in page with the code filled in."""
    return external_url("events.checkin", event_id=event_id, code=code)
