"""Core Celery tasks. They take ids, are idempotent and speak JSON."""

from __future__ import annotations

import base64
import smtplib
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from celery import shared_task
from flask import Flask, current_app

from .db import db, utcnow
from .extensions import socketio
from .models import OutboxMail
from .registry import PeriodicJob, registry

RESEND_TASK = "participation.resend_queued_mail"


def register_periodic(app: Flask) -> None:
    registry(app).periodic.append(PeriodicJob("outbox-resend", 300, RESEND_TASK))


@shared_task(
    name="participation.deliver_mail", autoretry_for=(OSError,), max_retries=5, retry_backoff=True
)
def deliver_mail(mail_id: int) -> str:
    """Send one outbox mail once. The row stays locked until the status commits, so two
    deliveries of the same mail (a redelivered message and the resend sweep) never send
    in parallel; the one that finds it locked or sent does nothing. A worker killed
    between the SMTP server's acceptance and the commit sends it again later, with the
    same Message-ID, so mail clients show it once (docs/deploy.md, "Faults")."""
    mail = db.session.scalar(
        sa.select(OutboxMail).where(OutboxMail.id == mail_id).with_for_update(skip_locked=True)
    )
    if mail is None or mail.status in {"sent", "kept"}:
        return "skipped"  # delivered already, or being delivered right now
    cfg = current_app.config
    if cfg["MAIL_SERVER"]:
        msg = EmailMessage()
        domain = cfg["MAIL_SENDER"].rpartition("@")[2] or "canyu.localhost"
        msg["Message-ID"] = f"<outbox-{mail.id}.{int(mail.created_at.timestamp())}@{domain}>"
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


@shared_task(name=RESEND_TASK)
def resend_queued_mail(limit: int = 500) -> int:
    """Periodic: queue again the mail still waiting OUTBOX_RESEND_SECONDS after it was
    written. Its delivery message was lost: a worker killed while holding it (Redis
    gives it back only after the visibility timeout, an hour), Redis restarted without
    persistence, or publishing failed after the commit."""
    age = timedelta(seconds=int(current_app.config.get("OUTBOX_RESEND_SECONDS", 300)))
    ids = db.session.scalars(
        sa.select(OutboxMail.id)
        .where(OutboxMail.status == "queued", OutboxMail.created_at < utcnow() - age)
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    db.session.rollback()  # no transaction held while publishing
    for mail_id in ids:
        deliver_mail.delay(mail_id)
    return len(ids)
