"""Live Q&A of open-day livestreams over Socket.IO (owner: live)."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from participation.registry import NavItem, registry

bp = Blueprint("live", __name__, template_folder="templates")


@bp.get("/live/")
def index() -> str:
    return "live"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    registry(app).nav.append(NavItem("live.index", _l("Live Q&A"), 40))
