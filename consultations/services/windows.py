"""Consultation windows: creating a consultation, extending it, and the notice's facts.

The state (scheduled, open, closed, reported) is derived from the window by
Consultation.state(); nothing here needs a job to run on time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict, Gone, NotFound, ServiceError
from participation.formatting import duration, time_left, time_until
from participation.models import User
from participation.permissions import is_organizer_of, require_organizer

from ..models import (
    Consultation,
    ConsultationExtension,
    Decision,
    DraftVersion,
    ModerationMode,
    Stage,
)
from . import catalogue

MAX_TITLE = 300
MAX_REASON = 5_000
MIN_REASON = 10
# Creating a notice a little after its opening moment (same day) is normal; more is not.
OPEN_GRACE = timedelta(days=1)
MAX_WINDOW = timedelta(days=366)
PHONE_RE = re.compile(r"^[0-9+()\-\s转]{5,40}$")

STATE_LABELS = {
    "scheduled": _l("Not yet open"),
    "open": _l("Open for comment"),
    "closed": _l("Closed"),
    "reported": _l("Feedback published"),
}
STATE_BADGES = {"scheduled": "info", "open": "ok", "closed": "neutral", "reported": "info"}


def min_days() -> int:
    return int(current_app.config["MIN_COMMENT_DAYS"])


def window_days(opens_at: datetime, closes_at: datetime) -> float:
    return (closes_at - opens_at).total_seconds() / 86400


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def parse_local_datetime(value: Any, name: str) -> datetime:
    """A datetime-local form value, meant in the platform's zone (Beijing time), as UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ServiceError(_("Please enter a date and time."), field=name)
        return value
    try:
        naive = datetime.fromisoformat(str(value or "").strip())
    except ValueError as exc:
        raise ServiceError(_("Please enter a date and time."), field=name) from exc
    if naive.tzinfo is not None:
        return naive.astimezone(ZoneInfo("UTC"))
    return naive.replace(tzinfo=local_zone()).astimezone(ZoneInfo("UTC"))


def to_local_input(value: datetime | None) -> str:
    """The value for an <input type=datetime-local>, in Beijing time."""
    return value.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


# ---- reads ----------------------------------------------------------------------------


def get_consultation(consultation_id: int, viewer: User | None = None) -> Consultation:
    c = db.session.get(Consultation, consultation_id)
    if c is None or (
        c.decision.confidential and not is_organizer_of(viewer, c.decision.organization_id)
    ):
        raise NotFound(_("There is no such consultation."))
    return c


def public_consultations() -> sa.Select:
    """Open first (soonest deadline first), then scheduled, then the most recent closed."""
    now = utcnow()
    is_open = sa.and_(Consultation.opens_at <= now, Consultation.closes_at > now)
    scheduled = Consultation.opens_at > now
    rank = sa.case((is_open, 0), (scheduled, 1), else_=2)
    # Open and scheduled ones by nearest date; closed ones newest first.
    nearest = sa.case(
        (is_open, Consultation.closes_at), (scheduled, Consultation.opens_at), else_=None
    )
    return (
        sa.select(Consultation)
        .join(Decision)
        .where(Decision.confidential.is_(False))
        .order_by(rank, nearest, Consultation.closes_at.desc(), Consultation.id.desc())
    )


def open_consultations(limit: int = 5) -> list[Consultation]:
    now = utcnow()
    query = (
        public_consultations()
        .where(Consultation.opens_at <= now, Consultation.closes_at > now)
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Notice:
    """What the notice shows about the window, computed once for the template."""

    state: str
    time_left: str  # "3 days left", "5 hours left", "5 minutes left", "time is up"
    opens_in: str  # "in 3 days", "in 5 hours"
    length: str  # the whole window: "30 days", "6 hours"
    is_short: bool  # under the legal minimum: the reason must be shown
    min_days: int


def notice(c: Consultation, now: datetime | None = None) -> Notice:
    now = now or utcnow()
    return Notice(
        state=c.state(now),
        time_left=time_left(c.closes_at, now),
        opens_in=time_until(c.opens_at, now),
        length=duration(c.closes_at - c.opens_at),
        is_short=window_days(c.opens_at, c.closes_at) < min_days(),
        min_days=min_days(),
    )


# ---- writes ---------------------------------------------------------------------------


def _text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ServiceError(_("This field is required."), field=name)
    if len(value) > limit:
        raise ServiceError(_("At most %(n)d characters, please.", n=limit), field=name)
    return value


def _channels(data: dict[str, Any]) -> dict[str, str]:
    """The notice must say how to comment by letter, email and phone, not only online."""
    address = _text(data.get("postal_address"), "postal_address", 300, required=True)
    try:
        email = validate_email(
            str(data.get("email") or "").strip(), check_deliverability=False
        ).normalized
    except EmailNotValidError as exc:
        raise ServiceError(_("Please enter a valid email address."), field="email") from exc
    phone = str(data.get("phone") or "").strip()
    if not PHONE_RE.match(phone):
        raise ServiceError(_("Please enter the agency's phone number."), field="phone")
    return {"postal_address": address, "email": email, "phone": phone}


def _moderation(value: Any) -> ModerationMode:
    try:
        return ModerationMode(value or ModerationMode.post)
    except ValueError as exc:
        raise ServiceError(
            _("Please choose how comments are moderated."), field="moderation"
        ) from exc


def create_consultation(actor: User, decision: Decision, data: dict[str, Any]) -> Consultation:
    """Open a public comment period on a published version of the decision's draft."""
    require_organizer(actor, decision.organization_id)
    if decision.withdrawn:
        raise Conflict(_("This decision has been withdrawn from the catalogue."))
    if decision.confidential:
        raise ServiceError(_("A confidential decision cannot be put to public consultation."))
    draft_id = _int(data.get("draft_id"))
    draft = db.session.get(DraftVersion, draft_id) if draft_id else None
    if draft is None or draft.decision_id != decision.id:
        raise ServiceError(_("Please choose a version of this decision's draft."), field="draft_id")
    if draft.published_at is None:
        raise ServiceError(_("Publish this version before consulting on it."), field="draft_id")
    title = _text(data.get("title"), "title", MAX_TITLE) or draft.title
    opens_at = parse_local_datetime(data.get("opens_at"), "opens_at")
    closes_at = parse_local_datetime(data.get("closes_at"), "closes_at")
    now = utcnow()
    if opens_at < now - OPEN_GRACE:
        raise ServiceError(_("The window cannot open in the past."), field="opens_at")
    if closes_at <= opens_at:
        raise ServiceError(_("The window must close after it opens."), field="closes_at")
    if closes_at - opens_at > MAX_WINDOW:
        raise ServiceError(_("A window may last at most one year."), field="closes_at")
    reason = _text(data.get("short_window_reason"), "short_window_reason", MAX_REASON)
    if window_days(opens_at, closes_at) < min_days():
        if len(reason) < MIN_REASON:
            raise ServiceError(
                _(
                    "The window is shorter than %(n)d days. The law asks for a stated reason, "
                    "which is shown in the notice.",
                    n=min_days(),
                ),
                field="short_window_reason",
            )
    else:
        reason = ""  # a reason for a full-length window would only confuse readers
    overlapping = db.session.scalar(
        sa.select(Consultation.id).where(
            Consultation.decision_id == decision.id,
            Consultation.opens_at < closes_at,
            Consultation.closes_at > opens_at,
        )
    )
    if overlapping:
        raise Conflict(
            _("Another consultation on this decision overlaps this window."), field="opens_at"
        )
    consultation = Consultation(
        decision=decision,
        draft=draft,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        short_window_reason=reason,
        moderation=_moderation(data.get("moderation")),
        created_by_id=actor.id,
        **_channels(data),
    )
    db.session.add(consultation)
    if decision.stage in (Stage.planned, Stage.drafting):
        catalogue.advance_stage(
            actor, decision, Stage.consulting, _l("The draft was put to public consultation.")
        )
    db.session.flush()
    audit.record(
        actor,
        "consultation.create",
        "consultation",
        consultation.id,
        reason=reason,
        data={
            "decision_id": decision.id,
            "draft_id": draft.id,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
        },
    )
    return consultation


def extend_window(
    actor: User, consultation: Consultation, new_closes_at: Any, reason: Any
) -> ConsultationExtension:
    """Move the deadline later, recorded with its reason and shown in the notice."""
    require_organizer(actor, consultation.decision.organization_id)
    state = consultation.state()
    if state in ("closed", "reported"):
        raise Gone(
            _("The window has closed; it can only be extended before the deadline."),
            field="closes_at",
        )
    new_close = parse_local_datetime(new_closes_at, "closes_at")
    if new_close <= consultation.closes_at:
        raise ServiceError(
            _("The new deadline must be later than the current one."), field="closes_at"
        )
    if new_close - consultation.opens_at > MAX_WINDOW:
        raise ServiceError(_("A window may last at most one year."), field="closes_at")
    reason = _text(reason, "reason", MAX_REASON)
    if len(reason) < MIN_REASON:
        raise ServiceError(
            _("Please give the reason for the extension; it is shown in the notice."),
            field="reason",
        )
    extension = ConsultationExtension(
        consultation=consultation,
        actor_id=actor.id,
        old_closes_at=consultation.closes_at,
        new_closes_at=new_close,
        reason=reason,
    )
    db.session.add(extension)
    consultation.closes_at = new_close
    db.session.flush()
    audit.record(
        actor,
        "consultation.extend",
        "consultation",
        consultation.id,
        reason=reason,
        data={
            "old_closes_at": extension.old_closes_at.isoformat(),
            "new_closes_at": new_close.isoformat(),
        },
    )
    return extension


def set_moderation(actor: User, consultation: Consultation, mode: Any) -> None:
    require_organizer(actor, consultation.decision.organization_id)
    new = _moderation(mode)
    if new == consultation.moderation:
        raise ServiceError(_("Nothing was changed."))
    old = consultation.moderation
    consultation.moderation = new
    audit.record(
        actor,
        "consultation.moderation",
        "consultation",
        consultation.id,
        data={"old": old.value, "new": new.value},
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
