"""Turning HTML form fields into service input (times are entered in Asia/Shanghai)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.errors import ServiceError

from ..models import Event, EventKind, SelectionMode
from ..services.manage import EventData

CATEGORY_ROWS = 6
DEFAULT_CATEGORIES = {
    EventKind.hearing: [
        ("stakeholder", _l("Stakeholder representatives"), 6, True),
        ("expert", _l("Experts"), 2, False),
        ("deputy", _l("Deputies and CPPCC members"), 1, False),
        ("public", _l("Members of the public"), 1, False),
    ],
    EventKind.symposium: [
        ("stakeholder", _l("Stakeholders"), 10, True),
        ("expert", _l("Experts"), 5, False),
    ],
    EventKind.observed_meeting: [("public", _l("Observers"), 10, False)],
    EventKind.open_day: [("public", _l("Visitors"), 30, False)],
}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def parse_local(value: str, field: str) -> datetime:
    try:
        local = datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise ServiceError(_("Please give a date and time."), field=field) from exc
    return local.replace(tzinfo=_zone()).astimezone(UTC)


def local_value(value: datetime | None) -> str:
    return value.astimezone(_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def _int(value: str, field: str) -> int:
    try:
        return int(value or "0")
    except ValueError as exc:
        raise ServiceError(_("Seats must be a whole number."), field=field) from exc


def event_data(form: Any, organization_id: int) -> EventData:
    kind = form.get("kind", "")
    if kind not in EventKind.__members__:
        raise ServiceError(_("Choose the kind of event."), field="kind")
    mode = form.get("selection_mode", "first_come")
    if mode not in SelectionMode.__members__:
        raise ServiceError(_("Choose how seats are given."), field="selection_mode")
    categories = []
    for i in range(CATEGORY_ROWS):
        key = form.get(f"cat_key_{i}", "").strip()
        if not key:
            continue
        categories.append(
            {
                "key": key,
                "label": form.get(f"cat_label_{i}", ""),
                "seats": _int(form.get(f"cat_seats_{i}", ""), "categories"),
                "is_stakeholder": form.get(f"cat_stakeholder_{i}") == "on",
            }
        )
    decision = form.get("decision_id", "").strip()
    return EventData(
        kind=EventKind(kind),
        title=form.get("title", ""),
        organization_id=organization_id,
        starts_at=parse_local(form.get("starts_at", ""), "starts_at"),
        ends_at=parse_local(form.get("ends_at", ""), "ends_at"),
        signup_opens_at=parse_local(form.get("signup_opens_at", ""), "signup_opens_at"),
        signup_closes_at=parse_local(form.get("signup_closes_at", ""), "signup_closes_at"),
        description=form.get("description", ""),
        decision_id=int(decision) if decision.isdigit() else None,
        place=form.get("place", ""),
        online_url=form.get("online_url", ""),
        selection_mode=SelectionMode(mode),
        selection_rules=form.get("selection_rules", ""),
        requires_id_check=form.get("requires_id_check") == "on",
        id_check_reason=form.get("id_check_reason", ""),
        categories=categories,
    )


def form_of(event: Event) -> dict[str, Any]:
    """Prefill the edit form from an event."""
    form: dict[str, Any] = {
        "kind": event.kind.value,
        "title": event.title,
        "description": event.description,
        "decision_id": str(event.decision_id or ""),
        "place": event.place,
        "online_url": event.online_url,
        "selection_mode": event.selection_mode.value,
        "selection_rules": event.selection_rules,
        "requires_id_check": "on" if event.requires_id_check else "",
        "id_check_reason": event.id_check_reason,
    }
    for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        form[name] = local_value(getattr(event, name))
    for i, c in enumerate(event.categories):
        form.update(
            {
                f"cat_key_{i}": c.key,
                f"cat_label_{i}": c.label,
                f"cat_seats_{i}": str(c.seats),
                f"cat_stakeholder_{i}": "on" if c.is_stakeholder else "",
            }
        )
    return form


def default_form(kind: EventKind) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": kind.value,
        "selection_mode": "lottery" if kind == EventKind.hearing else "first_come",
    }
    for i, (key, label, seats, stake) in enumerate(DEFAULT_CATEGORIES[kind]):
        form.update(
            {
                f"cat_key_{i}": key,
                f"cat_label_{i}": str(label),
                f"cat_seats_{i}": str(seats),
                f"cat_stakeholder_{i}": "on" if stake else "",
            }
        )
    return form
