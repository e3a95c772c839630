"""Registers the events blueprints, home section, demo loader and tasks (owner: events)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("events", __name__, template_folder="templates")


@bp.get("/events/")
def event_list() -> str:
    return "events"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
