"""Reading the outbox as an admin: secrets hidden, every read audited.

The outbox keeps each mail as sent, because delivery needs the real text. Some mails carry
a one-time secret (a password-reset or email-verification link): whoever reads it can take
over the account. So the admin views never show those secrets, and every read is recorded
with who read which mail. Tests and the delivery task read the stored row directly.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from . import audit
from .db import db
from .errors import NotFound
from .models import OutboxMail, User
from .permissions import require_admin

STATUS_LABELS = {
    "queued": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "kept": _l("Kept here (no mail server)"),
    "failed": _l("Sending failed"),
}

# URL parts that are secrets wherever they appear in a route (e.g. /account/reset/<token>).
SECRET_ARGS = frozenset({"token"})
_URL = re.compile(r"https?://[^\s<>\"']+")
# Signed tokens (itsdangerous: payload.timestamp.signature) and long random keys, anywhere
# in the text: a safety net for a secret that is not in a known route.
_TOKEN = re.compile(
    r"[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{16,}|\b[A-Za-z0-9_\-]{40,}\b"
)


def hidden_label() -> str:
    return _("[hidden]")


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    adapter = current_app.url_map.bind("localhost")
    try:
        _endpoint, args = adapter.match(parts.path, method="GET")
    except HTTPException:
        return url
    path = parts.path
    for name in SECRET_ARGS & set(args):
        path = path.replace(str(args[name]), hidden_label())
    if path == parts.path:
        return url
    # The query and fragment may repeat the secret: drop them with it.
    return f"{parts.scheme}://{parts.netloc}{path}"


def redact(text: str) -> str:
    """The text with every one-time secret replaced by "[hidden]"; cannot be undone."""
    text = _URL.sub(lambda m: _redact_url(m.group(0)), text)
    return _TOKEN.sub(lambda m: hidden_label(), text)


@dataclass(frozen=True)
class MailView:
    """What an admin may see of one mail."""

    id: int
    created_at: object
    recipient: str
    subject: str
    body: str
    status: str
    status_label: str
    attachments: list[tuple[int, str, str]]  # (index, filename, mimetype)


def _view(mail: OutboxMail) -> MailView:
    return MailView(
        id=mail.id,
        created_at=mail.created_at,
        recipient=mail.recipient,
        subject=redact(mail.subject),
        body=redact(mail.body),
        status=mail.status,
        status_label=str(STATUS_LABELS.get(mail.status, mail.status)),
        attachments=[
            (i, a.get("filename", ""), a.get("mimetype", ""))
            for i, a in enumerate(mail.attachments)
        ],
    )


def list_page(actor: User, page: int, per_page: int = 30) -> tuple[object, list[MailView]]:
    """One page of the outbox, newest first; the read is audited with the ids shown."""
    require_admin(actor)
    result = db.paginate(
        sa.select(OutboxMail).order_by(OutboxMail.id.desc()), page=page, per_page=per_page
    )
    views = [_view(m) for m in result.items]
    audit.record(
        actor, "outbox.list", "outbox", result.page, data={"mail_ids": [v.id for v in views]}
    )
    return result, views


def _get(mail_id: int) -> OutboxMail:
    mail = db.session.get(OutboxMail, mail_id)
    if mail is None:
        raise NotFound(_("There is no such mail."))
    return mail


def read(actor: User, mail_id: int) -> MailView:
    require_admin(actor)
    mail = _get(mail_id)
    audit.record(actor, "outbox.read", "outbox_mail", mail.id, data={"to": mail.recipient})
    return _view(mail)


@dataclass(frozen=True)
class AttachmentFile:
    filename: str
    mimetype: str
    content: bytes


def attachment(actor: User, mail_id: int, index: int) -> AttachmentFile:
    require_admin(actor)
    mail = _get(mail_id)
    if not 0 <= index < len(mail.attachments):
        raise NotFound(_("This mail has no such attachment."))
    item = mail.attachments[index]
    audit.record(
        actor,
        "outbox.attachment",
        "outbox_mail",
        mail.id,
        data={"to": mail.recipient, "filename": item.get("filename", "")},
    )
    return AttachmentFile(
        filename=item.get("filename") or f"attachment-{index}",
        mimetype=item.get("mimetype") or "application/octet-stream",
        content=base64.b64decode(item.get("content_b64", "")),
    )
