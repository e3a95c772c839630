from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for

from ..db import db
from ..models import Announcement
from ..registry import registry
from ..safe_links import is_same_site_path
from ..web import PREFS_COOKIE

bp = Blueprint("main", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths: no open redirects."""
    return target if is_same_site_path(target) else default


@bp.app_context_processor
def announcement() -> dict[str, Any]:
    def current() -> Announcement | None:
        return db.session.scalar(
            sa.select(Announcement).where(Announcement.active).order_by(Announcement.id.desc())
        )

    return {"current_announcement": current}


@bp.get("/")
def home() -> str:
    sections = []
    for section in sorted(registry().home, key=lambda s: s.order):
        sections.append((section.template, section.context()))
    return render_template("home.html", sections=sections)


@bp.post("/prefs")
def prefs() -> Any:
    """Language, large font and high contrast: a form in the header, no JavaScript needed."""
    current = set(filter(None, (request.cookies.get(PREFS_COOKIE) or "").split(",")))
    for key in ("large", "contrast"):
        if request.form.get(key) == "on":
            current.add(key)
        elif request.form.get(key) == "off":
            current.discard(key)
    resp = redirect(safe_next(request.form.get("next"), url_for("main.home")))
    resp.set_cookie(PREFS_COOKIE, ",".join(sorted(current)), max_age=365 * 86400, samesite="Lax")
    lang = request.form.get("lang")
    if lang in ("zh", "en"):
        resp.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax")
    return resp


@bp.get("/favicon.ico")
def favicon() -> Any:
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/healthz")
def healthz() -> Any:
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/privacy")
def privacy() -> str:
    return render_template("privacy.html")
