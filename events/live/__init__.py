"""Live Q&A of open-day livestreams over Socket.IO (docs/realtime.md)."""

from __future__ import annotations

import os

from flask import Flask
from flask_babel import lazy_gettext as _l

from participation.public_text import screen_columns
from participation.registry import NavItem, registry

from ..services.manage import MODERATORS_CHANGED
from .services.changes import revoke_moderator_rooms
from .views import bp

# Local numbers, configurable from the environment (docs/realtime.md).
DEFAULTS = {
    "LIVE_QUESTION_MAX_CHARS": 300,
    "LIVE_QUESTIONS_PER_WINDOW": 3,
    "LIVE_QUESTION_WINDOW_SECONDS": 300,
    "LIVE_FLUSH_INTERVAL": 0.5,  # counts broadcasts per room at most every 500 ms
    "LIVE_VIEWERS_INTERVAL": 5.0,  # viewer-count-only updates at most every 5 s
    "LIVE_EVENTS_PER_SECOND": 5.0,  # token bucket refill per connection (x2 per account)
    "LIVE_EVENT_BURST": 20.0,
    "LIVE_VIEWERS_PER_ADDRESS": 20,  # browsers counted apart behind one address (NAT, office)
}


def _configure(app: Flask) -> None:
    for key, default in DEFAULTS.items():
        raw = os.environ.get(key)
        app.config.setdefault(key, type(default)(raw) if raw else default)
    app.config.setdefault("LIVE_BACKGROUND_FLUSH", True)


def init_app(app: Flask) -> None:
    from . import demo, models, sockets, tasks  # noqa: F401  (models and tasks register)

    _configure(app)
    # Written and on-air answers are published: screened for personal data.
    screen_columns(
        models.Question.answer, models.Question.answered_by, models.Question.author_label
    )
    app.register_blueprint(bp)
    sockets.register()
    reg = registry(app)
    reg.nav.append(NavItem("live.index", _l("Live Q&A"), 40))
    reg.demo_loaders.append(demo.load)
    reg.openapi.append(OPENAPI)
    reg.hook(MODERATORS_CHANGED, revoke_moderator_rooms)


OPENAPI = {
    "paths": {
        "/live/{session_id}/record.json": {
            "get": {
                "summary": "Public record of a live Q&A session",
                "description": "Every published question with its answer or written "
                "follow-up, department, due date and stream offset (seconds since the "
                "session went live; append #t=offset to the replay URL).",
                "parameters": [
                    {
                        "name": "session_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {"description": "The record"},
                    "404": {"description": "No such session"},
                },
            }
        }
    }
}
