"""The /notify namespace: personal notifications and site-wide announcements."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from flask_socketio import Namespace, join_room

from .extensions import socketio


class NotifyNamespace(Namespace):
    def on_connect(self, auth: Any = None) -> bool:
        # Anonymous readers receive announcements only; a signed-in user also
        # joins a private room that nobody else can join.
        if getattr(current_user, "is_authenticated", False):
            join_room(f"user:{current_user.id}")
        return True


def register() -> None:
    socketio.on_namespace(NotifyNamespace("/notify"))
