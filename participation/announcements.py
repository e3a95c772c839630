"""Site-wide notices, pushed live to every open page."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from . import audit
from .db import after_commit, db
from .errors import ServiceError
from .extensions import socketio
from .models import Announcement, User
from .permissions import require_admin
from .screening import mask


def publish(admin: User, text: str) -> Announcement:
    require_admin(admin)
    text = (text or "").strip()
    if not 1 <= len(text) <= 500:
        raise ServiceError(_("Please write 1 to 500 characters."), field="text")
    text = mask(text)
    db.session.execute(sa.update(Announcement).values(active=False))
    item = Announcement(text=text, created_by_id=admin.id)
    db.session.add(item)
    db.session.flush()
    audit.record(admin, "announcement.publish", "announcement", item.id, data={"text": text})
    payload = {"id": item.id, "text": text}
    after_commit(lambda: socketio.emit("announcement", payload, namespace="/notify"))
    return item


def withdraw(admin: User) -> None:
    require_admin(admin)
    db.session.execute(sa.update(Announcement).values(active=False))
    audit.record(admin, "announcement.withdraw", "announcement", "*")
    after_commit(
        lambda: socketio.emit("announcement", {"id": None, "text": ""}, namespace="/notify")
    )
