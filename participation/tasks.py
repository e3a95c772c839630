"""Core Celery tasks. They take ids, are idempotent and speak JSON."""

from __future__ import annotations

import base64
import smtplib
from email.message import EmailMessage

from celery import shared_task
from flask import current_app

from .db import db, utcnow
from .extensions import socketio
from .models import OutboxMail


@shared_task(
    name="participation.deliver_mail", autoretry_for=(OSError,), max_retries=5, retry_backoff=True
)
def deliver_mail(mail_id: int) -> str:
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None or mail.status in {"sent", "kept"}:
        return "skipped"  # delivered already: a retried task sends nothing twice
    cfg = current_app.config
    if cfg["MAIL_SERVER"]:
        msg = EmailMessage()
        msg["From"] = cfg["MAIL_SENDER"]
        msg["To"] = mail.recipient
        msg["Subject"] = mail.subject
        msg.set_content(mail.body)
        for a in mail.attachments:
            maintype, _, subtype = a["mimetype"].partition("/")
            msg.add_attachment(
                base64.b64decode(a["content_b64"]),
                maintype=maintype,
                subtype=subtype,
                filename=a["filename"],
            )
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        mail.status = "sent"
    else:
        mail.status = "kept"  # embedded default: admins read it in the outbox page
    mail.sent_at = utcnow()
    user_id, subject = mail.user_id, mail.subject
    db.session.commit()
    if user_id:
        # Through the Redis message queue this reaches the user on any web process.
        socketio.emit(
            "notification", {"subject": subject}, to=f"user:{user_id}", namespace="/notify"
        )
    return mail.status
