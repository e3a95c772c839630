"""The phone-sized check-in page for organizers and event moderators."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.db import db
from participation.errors import ServiceError
from participation.extensions import limiter
from participation.ratelimit import user_or_ip

from ..blueprint import bp
from ..models import Event
from ..services import checkin as checkin_service
from ..services.permissions import require_event_moderator

# The door sees a burst of arrivals: more than the general write limit, still bounded.
checkin_limit = limiter.limit(
    lambda: current_app.config.get("CHECKIN_RATE_LIMIT", "120 per minute;3000 per hour"),
    key_func=user_or_ip,
    methods=["POST"],
)


def _page(event: Event, **ctx: Any) -> str:
    return render_template(
        "events/checkin.html", event=event, attendance=checkin_service.attendance(event), **ctx
    )


@bp.route("/events/<int:event_id>/checkin", methods=["GET", "POST"])
@login_required
@checkin_limit
def checkin(event_id: int) -> Any:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    require_event_moderator(current_user, event)
    if request.method == "GET":
        # A phone's camera app opens the QR link: the code arrives filled in.
        return _page(event, code=request.args.get("code", ""))
    try:
        result = checkin_service.check_in(current_user, event, request.form.get("code", ""))
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _page(event, error=exc.message, code=request.form.get("code", "")), exc.status
    a = result.application
    message = (
        _("%(name)s was already checked in.", name=a.full_name)
        if result.already
        else _("Welcome, %(name)s!", name=a.full_name)
    )
    return _page(event, result=result, message=message, code="")
