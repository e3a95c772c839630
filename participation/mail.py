"""Outgoing mail: recorded in the outbox, delivered by a Celery task after commit."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from .db import after_commit, db
from .models import OutboxMail, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    content: bytes

    def as_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "mimetype": self.mimetype,
            "content_b64": base64.b64encode(self.content).decode(),
        }


def send_mail(
    recipient: str,
    subject: str,
    body: str,
    *,
    user: User | None = None,
    attachments: list[Attachment] | None = None,
) -> OutboxMail:
    mail = OutboxMail(
        recipient=recipient,
        subject=subject[:300],
        body=body,
        user_id=user.id if user else None,
        attachments=[a.as_json() for a in attachments or []],
    )
    db.session.add(mail)
    db.session.flush()
    mail_id = mail.id

    def deliver() -> None:
        from .tasks import deliver_mail

        try:
            deliver_mail.delay(mail_id)
        except Exception:  # noqa: BLE001 - the commit stands; the resend sweep sends it
            log.warning("could not queue mail %s; the resend sweep will", mail_id, exc_info=True)

    after_commit(deliver)
    return mail


def send_template(
    user: User,
    subject: str,
    template: str,
    *,
    attachments: list[Attachment] | None = None,
    **context: object,
) -> OutboxMail | None:
    """Render a text mail in the recipient's own language."""
    if not user.email or user.deleted_at is not None:
        return None
    with force_locale(user.locale or "zh"):
        body = render_template(template, user=user, **context)
        return send_mail(user.email, str(subject), body, user=user, attachments=attachments)
