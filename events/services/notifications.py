"""Queue notification tasks; they run only once the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from participation.db import after_commit

# Kinds of mail to one applicant (events/templates/mail/event_<kind>.txt).
KINDS = (
    "applied",
    "confirmed",
    "waitlisted",
    "offered",
    "offer_expired",
    "withdrawn",
    "rejected",
    "not_selected",
    "materials",
    "reminder",
    "changed",
    "cancelled",
    "record",
)


def notify(application_ids: Iterable[int], kind: str) -> None:
    assert kind in KINDS, kind
    ids = list(application_ids)
    if not ids:
        return

    def send() -> None:
        from ..tasks import notify_applications

        notify_applications.delay(ids, kind)

    after_commit(send)
