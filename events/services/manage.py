"""Organizer writes on an event: create, change (publicly, with reasons), publish, cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from consultations.models import Decision
from participation import audit
from participation.db import after_commit, db, utcnow
from participation.errors import Conflict, NotFound, ServiceError
from participation.models import User
from participation.permissions import require_organizer
from participation.registry import registry
from participation.safe_links import is_web_address, link_kind

from ..lottery import new_seed
from ..models import (
    ACTIVE,
    Application,
    ApplicationStatus,
    Event,
    EventCategory,
    EventChange,
    EventKind,
    EventMaterial,
    EventModerator,
    EventStatus,
    SelectionDraw,
    SelectionMode,
)
from .notifications import notify
from .permissions import require_event_organizer
from .seats import fill_free_seats, held_by_category, lock_event

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Hook called with an event id after its moderators changed (the live Q&A listens).
MODERATORS_CHANGED = "event.moderators_changed"
# Public fields whose change after publication is announced with a reason.
ANNOUNCED_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "signup_opens_at",
    "signup_closes_at",
    "selection_rules",
)


@dataclass
class EventData:
    """What an organizer submits; views build it from the form, the API from JSON."""

    kind: EventKind
    title: str
    organization_id: int
    starts_at: datetime
    ends_at: datetime
    signup_opens_at: datetime
    signup_closes_at: datetime
    description: str = ""
    decision_id: int | None = None
    place: str = ""
    online_url: str = ""
    selection_mode: SelectionMode = SelectionMode.first_come
    selection_rules: str = ""
    requires_id_check: bool = False
    id_check_reason: str = ""
    # [{"key", "label", "seats", "is_stakeholder"}]
    categories: list[dict[str, Any]] = field(default_factory=list)


def _check_categories(kind: EventKind, categories: list[dict[str, Any]]) -> None:
    if not categories:
        raise ServiceError(_("Add at least one participant category."), field="categories")
    keys = set()
    for c in categories:
        if not _KEY.match(str(c.get("key", ""))):
            raise ServiceError(
                _("Category keys use lowercase letters, digits and underscores."),
                field="categories",
            )
        if c["key"] in keys:
            raise ServiceError(_("Each category may appear only once."), field="categories")
        keys.add(c["key"])
        seats = c.get("seats")
        if isinstance(seats, bool) or not isinstance(seats, int) or not 0 <= seats <= 100_000:
            raise ServiceError(_("Seats must be a whole number."), field="categories")
        if not str(c.get("label", "")).strip():
            raise ServiceError(_("Every category needs a name."), field="categories")
    total = sum(c["seats"] for c in categories)
    if total <= 0:
        raise ServiceError(_("The event needs at least one seat."), field="categories")
    if kind == EventKind.hearing:
        share = current_app.config["HEARING_STAKEHOLDER_SHARE"]
        stakeholder = sum(c["seats"] for c in categories if c.get("is_stakeholder"))
        if stakeholder < share * total:
            raise ServiceError(
                _(
                    "At a hearing, stakeholder representatives must have at least "
                    "%(pct)d%% of the seats (%(have)d of %(total)d now).",
                    pct=round(share * 100),
                    have=stakeholder,
                    total=total,
                ),
                field="categories",
            )


def _check(data: EventData) -> None:
    if not data.title.strip() or len(data.title) > 300:
        raise ServiceError(_("Please give a title (at most 300 characters)."), field="title")
    if data.ends_at <= data.starts_at:
        raise ServiceError(_("The event must end after it starts."), field="ends_at")
    if data.signup_closes_at <= data.signup_opens_at:
        raise ServiceError(_("Sign-up must close after it opens."), field="signup_closes_at")
    if data.signup_closes_at > data.starts_at:
        raise ServiceError(
            _("Sign-up must close before the event starts."), field="signup_closes_at"
        )
    if not data.place.strip() and not data.online_url.strip():
        raise ServiceError(_("Give a place, an online link, or both."), field="place")
    if data.online_url and not is_web_address(data.online_url):
        raise ServiceError(_("The online link must start with https://."), field="online_url")
    if data.requires_id_check and not data.id_check_reason.strip():
        raise ServiceError(
            _("Explain why an identity check on site needs ID numbers."), field="id_check_reason"
        )
    needs_rules = data.kind == EventKind.hearing or data.selection_mode == SelectionMode.lottery
    if needs_rules and len(data.selection_rules.strip()) < 20:
        raise ServiceError(
            _("Publish the selection method (at least a few sentences) with the event."),
            field="selection_rules",
        )
    if data.kind == EventKind.hearing:
        days = current_app.config["HEARING_MATERIALS_DAYS"]
        if data.signup_closes_at > data.starts_at - timedelta(days=days):
            raise ServiceError(
                _(
                    "Sign-up for a hearing must close at least %(days)d days before it, "
                    "so the materials reach participants in time.",
                    days=days,
                ),
                field="signup_closes_at",
            )
    if data.decision_id is not None:
        decision = db.session.get(Decision, data.decision_id)
        if decision is None or decision.confidential:
            raise ServiceError(_("This decision does not exist."), field="decision_id")
    _check_categories(data.kind, data.categories)


def create_event(actor: User, data: EventData) -> Event:
    require_organizer(actor, data.organization_id)
    _check(data)
    event = Event(
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        decision_id=data.decision_id,
        organization_id=data.organization_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place.strip(),
        online_url=data.online_url.strip(),
        signup_opens_at=data.signup_opens_at,
        signup_closes_at=data.signup_closes_at,
        selection_mode=data.selection_mode,
        selection_rules=data.selection_rules.strip(),
        requires_id_check=data.requires_id_check,
        id_check_reason=data.id_check_reason.strip(),
        seats=sum(c["seats"] for c in data.categories),
        lottery_salt=new_seed(),
        created_by_id=actor.id,
    )
    for i, c in enumerate(data.categories):
        event.categories.append(
            EventCategory(
                key=c["key"],
                label=str(c["label"]).strip()[:100],
                seats=c["seats"],
                is_stakeholder=bool(c.get("is_stakeholder")),
                position=i,
            )
        )
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event.create", "event", event.id, data={"title": event.title})
    return event


def publish_event(actor: User, event: Event) -> Event:
    require_event_organizer(actor, event)
    if event.status != EventStatus.draft:
        raise Conflict(_("This event is already published."))
    _check(_data_of(event))
    event.status = EventStatus.published
    event.published_at = utcnow()
    audit.record(actor, "event.publish", "event", event.id)
    return event


def _data_of(event: Event) -> EventData:
    return EventData(
        kind=event.kind,
        title=event.title,
        organization_id=event.organization_id,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        signup_opens_at=event.signup_opens_at,
        signup_closes_at=event.signup_closes_at,
        description=event.description,
        decision_id=event.decision_id,
        place=event.place,
        online_url=event.online_url,
        selection_mode=event.selection_mode,
        selection_rules=event.selection_rules,
        requires_id_check=event.requires_id_check,
        id_check_reason=event.id_check_reason,
        categories=[
            {"key": c.key, "label": c.label, "seats": c.seats, "is_stakeholder": c.is_stakeholder}
            for c in event.categories
        ],
    )


def _public(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def update_event(actor: User, event: Event, data: EventData, reason: str = "") -> Event:
    """Change an event. Once published, every public change is announced with its reason
    and mailed to everyone still taking part; the selection method and the quotas are
    frozen in their meaning (seats can never drop below those already given)."""
    require_event_organizer(actor, event)
    if data.organization_id != event.organization_id:
        raise ServiceError(_("An event cannot move to another agency."), field="organization_id")
    _check(data)
    event = lock_event(event.id)
    published = event.status != EventStatus.draft
    if event.is_cancelled:
        raise Conflict(_("A cancelled event cannot be changed."))
    if published and (data.kind != event.kind or data.selection_mode != event.selection_mode):
        raise Conflict(_("The kind and the selection mode cannot change after publication."))
    changes: dict[str, list[Any]] = {}
    for name in ANNOUNCED_FIELDS:
        old, new = getattr(event, name), getattr(data, name)
        if isinstance(new, str):
            new = new.strip()
        if old != new:
            changes[name] = [_public(old), _public(new)]
    old_cats = {c.key: c for c in event.categories}
    new_cats = {c["key"]: c for c in data.categories}
    if published and set(old_cats) != set(new_cats):
        raise Conflict(_("Categories cannot be added or removed after publication."))
    held = held_by_category(event.id)
    for key, c in new_cats.items():
        if c["seats"] < held.get(key, 0):
            raise Conflict(
                _(
                    "%(label)s already has %(n)d seats taken; the quota cannot be lower.",
                    label=c["label"],
                    n=held.get(key, 0),
                ),
                field="categories",
            )
        if key in old_cats and old_cats[key].seats != c["seats"]:
            changes[f"seats:{key}"] = [old_cats[key].seats, c["seats"]]
    committed = _committed(event)
    frozen = {"signup_opens_at", "signup_closes_at"} | {f"seats:{k}" for k in old_cats}
    if committed and not committed.drawn_at and frozen.intersection(changes):
        raise Conflict(_("The applicant list and quotas are fixed for the lottery until the draw."))
    if committed and {"signup_opens_at", "signup_closes_at"}.intersection(changes):
        raise Conflict(_("Sign-up cannot reopen once the applicant list is fixed."))
    reason = reason.strip()
    if published and changes and len(reason) < 5:
        raise ServiceError(_("Published events change only with a public reason."), field="reason")
    for name in ANNOUNCED_FIELDS:
        value = getattr(data, name)
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    event.decision_id = data.decision_id
    event.requires_id_check = data.requires_id_check
    event.id_check_reason = data.id_check_reason.strip()
    if not published:
        event.kind, event.selection_mode = data.kind, data.selection_mode
        event.categories.clear()
        db.session.flush()
    for i, c in enumerate(data.categories):
        cat = event.category(c["key"]) if published else None
        if cat is None:
            cat = EventCategory(key=c["key"], position=i)
            event.categories.append(cat)
        cat.label = str(c["label"]).strip()[:100]
        cat.seats = c["seats"]
        cat.is_stakeholder = bool(c.get("is_stakeholder"))
    event.seats = sum(c["seats"] for c in data.categories)
    db.session.flush()
    if published and changes:
        kind = "selection_rules" if "selection_rules" in changes else "details"
        db.session.add(
            EventChange(
                event_id=event.id, actor_id=actor.id, kind=kind, changes=changes, reason=reason
            )
        )
        notify(_active_ids(event.id), "changed")
        if event.selection_mode == SelectionMode.first_come or _drawn(event):
            for key in new_cats:
                notify(fill_free_seats(event, key), "offered")
    audit.record(actor, "event.update", "event", event.id, reason=reason, data=changes)
    return event


def _committed(event: Event) -> SelectionDraw | None:
    return db.session.scalar(sa.select(SelectionDraw).where(SelectionDraw.event_id == event.id))


def _drawn(event: Event) -> bool:
    draw = _committed(event)
    return draw is not None and draw.drawn_at is not None


def _active_ids(event_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Application.id).where(
                Application.event_id == event_id, Application.status.in_(ACTIVE)
            )
        )
    )


def cancel_event(actor: User, event: Event, reason: str) -> Event:
    require_event_organizer(actor, event)
    if len(reason.strip()) < 5:
        raise ServiceError(_("Give the public reason for the cancellation."), field="reason")
    event = lock_event(event.id)
    if event.is_cancelled:
        raise Conflict(_("This event is already cancelled."))
    affected = _active_ids(event.id)
    db.session.execute(
        sa.update(Application)
        .where(Application.id.in_(affected))
        .values(status=ApplicationStatus.cancelled, offer_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    event.status = EventStatus.cancelled
    event.cancel_reason = reason.strip()
    db.session.add(
        EventChange(event_id=event.id, actor_id=actor.id, kind="cancelled", reason=reason.strip())
    )
    notify(affected, "cancelled")
    audit.record(actor, "event.cancel", "event", event.id, reason=reason)
    return event


def add_material(
    actor: User, event: Event, title: str, url: str = "", body: str = ""
) -> EventMaterial:
    require_event_organizer(actor, event)
    title, url, body = title.strip(), url.strip(), body.strip()
    if not title or len(title) > 200:
        raise ServiceError(_("Please give the material a title."), field="title")
    if url and link_kind(url) is None:
        raise ServiceError(
            _(
                "The link must be a page of this site (a path starting with one /) "
                "or a web address starting with https://."
            ),
            field="url",
        )
    if not url and not body:
        raise ServiceError(_("Give a link or the text of the material."), field="body")
    material = EventMaterial(event_id=event.id, title=title, url=url, body=body)
    db.session.add(material)
    db.session.flush()
    audit.record(actor, "event.material_add", "event", event.id, data={"title": title})
    return material


def add_moderator(actor: User, event: Event, email: str) -> EventModerator:
    require_event_organizer(actor, event)
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or user.deleted_at is not None:
        raise NotFound(_("No account uses this email address."), field="email")
    if any(m.user_id == user.id for m in event.moderators):
        raise Conflict(_("This person already moderates the event."), field="email")
    moderator = EventModerator(event_id=event.id, user_id=user.id)
    db.session.add(moderator)
    db.session.flush()
    audit.record(actor, "event.moderator_add", "event", event.id, data={"user_id": user.id})
    return moderator


def remove_material(actor: User, event: Event, material_id: int, reason: str = "") -> None:
    """Take a material off the event. Materials already mailed to participants cannot be
    recalled, so the audit entry says they were sent."""
    require_event_organizer(actor, event)
    material = db.session.get(EventMaterial, material_id)
    if material is None or material.event_id != event.id:
        raise NotFound(_("This material does not exist."))
    if len(reason.strip()) > 300:
        raise ServiceError(_("The reason can be at most %(n)d characters long.", n=300))
    data: dict[str, Any] = {"title": material.title}
    if event.materials_sent_at is not None:
        data["already_sent"] = True
    db.session.delete(material)
    db.session.flush()
    db.session.expire(event, ["materials"])
    audit.record(
        actor, "event.material_remove", "event", event.id, reason=reason.strip(), data=data
    )


def remove_moderator(actor: User, event: Event, moderator_id: int) -> None:
    """Withdraw a named moderator. Moderator rights are looked up on every request and
    socket event (services/permissions.py), so the next action is already refused."""
    require_event_organizer(actor, event)
    moderator = db.session.get(EventModerator, moderator_id)
    if moderator is None or moderator.event_id != event.id:
        raise NotFound(_("This moderator does not exist."))
    user_id = moderator.user_id
    db.session.delete(moderator)
    db.session.flush()
    db.session.expire(event, ["moderators"])
    audit.record(actor, "event.moderator_remove", "event", event.id, data={"user_id": user_id})
    event_id = event.id
    # An open socket of theirs must also stop receiving moderator-only updates (the live
    # Q&A empties its moderators' rooms; events does not import it).
    after_commit(lambda: registry().call(MODERATORS_CHANGED, event_id))


def publish_participants(actor: User, event: Event) -> Event:
    """Publish the participant list (names and affiliations only) before the event."""
    require_event_organizer(actor, event)
    if event.participants_published_at is not None:
        raise Conflict(_("The participant list is already published."))
    if not held_by_category(event.id):
        raise Conflict(_("Nobody holds a seat yet; there is no list to publish."))
    event.participants_published_at = utcnow()
    audit.record(actor, "event.participants_publish", "event", event.id)
    return event


def publish_outcome(actor: User, event: Event, outcome: str, handling: str) -> Event:
    """What the meeting decided and how observers' opinions were handled (列席)."""
    require_event_organizer(actor, event)
    outcome, handling = outcome.strip(), handling.strip()
    if not event.has_started():
        raise Conflict(_("The outcome can be published once the event has taken place."))
    if len(outcome) < 10:
        raise ServiceError(_("Describe the outcome (at least 10 characters)."), field="outcome")
    if len(handling) < 10:
        raise ServiceError(
            _("Describe how the opinions were handled (at least 10 characters)."),
            field="opinions_handling",
        )
    changes = {}
    if event.outcome_published_at is not None:
        changes = {
            "outcome": [event.outcome, outcome],
            "handling": [event.opinions_handling, handling],
        }
    event.outcome, event.opinions_handling = outcome, handling
    event.outcome_published_at = utcnow()
    audit.record(actor, "event.outcome_publish", "event", event.id, data=changes)
    return event


def reject_application(actor: User, application: Application, reason: str) -> Application:
    """Refuse an ineligible application (e.g. not a stakeholder), telling the reason."""
    event = application.event
    require_event_organizer(actor, event)
    if len(reason.strip()) < 5:
        raise ServiceError(_("Tell the applicant why (at least 5 characters)."), field="reason")
    event = lock_event(event.id)
    db.session.refresh(application)
    if application.status not in (
        ApplicationStatus.applied,
        ApplicationStatus.waitlisted,
        ApplicationStatus.confirmed,
        ApplicationStatus.offered,
    ):
        raise Conflict(_("This application is no longer active."))
    if _committed(event) is not None and application.status == ApplicationStatus.applied:
        raise Conflict(_("The applicant list is fixed for the lottery; it cannot change now."))
    held = application.holds_seat
    application.status = ApplicationStatus.rejected
    application.status_reason = reason.strip()
    application.offer_expires_at = None
    notify([application.id], "rejected")
    if held:
        notify(fill_free_seats(event, application.category_key), "offered")
    audit.record(actor, "event.application_reject", "application", application.id, reason=reason)
    return application
