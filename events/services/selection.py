"""The lottery-mode selection: fix the list and publish the seed hash, then draw.

Protocol of docs/lottery.md: the applicant list (pseudonymised) and the seed hash are
published together before the draw; the draw publishes the seed and the result, which
anyone can re-check with the stand-alone verifier linked from the selection page.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from participation import audit
from participation.db import db, utcnow
from participation.errors import Conflict
from participation.models import User

from .. import lottery
from ..models import Application, ApplicationStatus, Event, SelectionDraw, SelectionMode
from .notifications import notify
from .permissions import require_event_organizer
from .seats import fill_free_seats, lock_event

PENDING_NOTE = {
    "en": "The seed is published with the result after the draw.",
    "zh": "随机种子在摇号后与摇号结果一并公布。",
}


def draw_of(event: Event) -> SelectionDraw | None:
    return db.session.scalar(sa.select(SelectionDraw).where(SelectionDraw.event_id == event.id))


def _pending(event_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                Application.event_id == event_id, Application.status == ApplicationStatus.applied
            )
            .order_by(Application.applied_at, Application.id)
        )
    )


def pseudonyms(event: Event, applications: list[Application]) -> dict[int, str]:
    """Per-event HMAC pseudonyms; longer ones if the short ones happen to collide."""
    for digits in (8, 12, 16):
        names = {
            a.id: lottery.pseudonym(event.lottery_salt, a.id, digits=digits) for a in applications
        }
        if len(set(names.values())) == len(names):
            return names
    raise RuntimeError("pseudonym collision at 16 hex digits")


def pseudonym_of(application: Application) -> str:
    """The pseudonym under which an applicant finds themself in the published lists."""
    draw = db.session.scalar(
        sa.select(SelectionDraw).where(SelectionDraw.event_id == application.event_id)
    )
    digits = (draw.frozen.get("digits") if draw else None) or 8
    return lottery.pseudonym(application.event.lottery_salt, application.id, digits=digits)


def _require_selectable(actor: User, event: Event) -> None:
    require_event_organizer(actor, event)
    if event.selection_mode != SelectionMode.lottery:
        raise Conflict(_("Seats of this event go first come, first served; there is no draw."))
    if event.signup_state() != "closed" or event.is_cancelled:
        raise Conflict(_("The selection takes place once sign-up has closed."))
    if event.has_started():
        raise Conflict(_("The event has started."))


def start_selection(actor: User, event: Event) -> SelectionDraw | None:
    """Close the list. If every category fits its quota all are confirmed, in order of
    application (no draw needed). Otherwise fix the pseudonymised list and publish the hash
    of a fresh secret seed; the draw follows with `draw`. Returns the draw, if any."""
    _require_selectable(actor, event)
    event = lock_event(event.id)
    if draw_of(event) is not None:
        raise Conflict(_("The seed hash is already published."))
    pending = _pending(event.id)
    if not pending:
        raise Conflict(_("There are no applications to select from."))
    by_category: dict[str, list[Application]] = {c.key: [] for c in event.categories}
    for application in pending:
        by_category[application.category_key].append(application)
    if all(len(apps) <= event.category(key).seats for key, apps in by_category.items()):
        for application in pending:
            application.status = ApplicationStatus.confirmed
        notify([a.id for a in pending], "confirmed")
        audit.record(
            actor, "event.selection_all_fit", "event", event.id, data={"confirmed": len(pending)}
        )
        return None
    names = pseudonyms(event, pending)
    seed = lottery.new_seed()
    draw = SelectionDraw(
        event_id=event.id,
        seed=seed,
        seed_hash=lottery.commit(seed),
        committed_at=utcnow(),
        committed_by_id=actor.id,
        frozen={
            "digits": len(next(iter(names.values()))) - len(lottery.PSEUDONYM_PREFIX),
            "categories": {
                c.key: {
                    "seats": c.seats,
                    "applicants": sorted(names[a.id] for a in by_category[c.key]),
                }
                for c in event.categories
            },
            # Private: maps the published pseudonyms back to applications.
            "ids": {names[a.id]: a.id for a in pending},
        },
    )
    db.session.add(draw)
    db.session.flush()
    audit.record(
        actor, "event.selection_commit", "event", event.id, data={"seed_hash": draw.seed_hash}
    )
    return draw


def run_draw(actor: User, event: Event) -> SelectionDraw:
    """Draw with the committed seed, publish the document and seat the selected."""
    _require_selectable(actor, event)
    event = lock_event(event.id)
    draw = draw_of(event)
    if draw is None:
        raise Conflict(_("Publish the seed hash before the draw."))
    if draw.drawn_at is not None:
        raise Conflict(_("The draw has already taken place."))
    cats = draw.frozen["categories"]
    seats = {key: c["seats"] for key, c in cats.items()}
    applicants = {key: c["applicants"] for key, c in cats.items()}
    result = lottery.draw(draw.seed, seats, applicants)
    document = lottery.publication(draw.seed, draw.seed_hash, seats, applicants, result)
    now = utcnow()
    document["event"] = {"id": event.id, "title": event.title}
    document["drawn_at"] = now.isoformat(timespec="seconds")
    ids: dict[str, int] = draw.frozen["ids"]
    selected: list[int] = []
    waitlisted: list[int] = []
    for outcome in result.categories.values():
        for name in outcome.selected:
            application = db.session.get(Application, ids[name])
            # Someone who withdrew after the list was fixed keeps their place in the
            # published draw; their seat is offered on below, like any freed seat.
            if application and application.status == ApplicationStatus.applied:
                application.status = ApplicationStatus.confirmed
                selected.append(application.id)
        for position, name in enumerate(outcome.waitlist, start=1):
            application = db.session.get(Application, ids[name])
            if application and application.status == ApplicationStatus.applied:
                application.status = ApplicationStatus.waitlisted
                application.waitlist_position = position
                waitlisted.append(application.id)
    db.session.flush()
    offered = [i for key in seats for i in fill_free_seats(event, key, now)]
    draw.drawn_at = now
    draw.document = document
    notify(selected, "confirmed")
    notify([i for i in waitlisted if i not in offered], "waitlisted")
    notify(offered, "offered")
    audit.record(
        actor, "event.selection_draw", "event", event.id, data={"seed_hash": draw.seed_hash}
    )
    return draw


def public_document(event: Event) -> dict[str, Any] | None:
    """selection.json: the list and seed hash before the draw, the full document after."""
    draw = draw_of(event)
    if draw is None:
        return None
    if draw.document is not None:
        return draw.document
    return {
        "algorithm": lottery.ALGORITHM,
        "version": lottery.DOCUMENT_VERSION,
        "seed_hash": draw.seed_hash,
        "committed_at": draw.committed_at.isoformat(timespec="seconds"),
        "event": {"id": event.id, "title": event.title},
        "categories": {
            key: {"seats": c["seats"], "applicants": c["applicants"]}
            for key, c in draw.frozen["categories"].items()
        },
        # A record served to everyone alike, so both languages rather than the reader's.
        "note": PENDING_NOTE["en"],
        "note_zh": PENDING_NOTE["zh"],
    }
