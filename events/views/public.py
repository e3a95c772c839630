"""Public pages: the event list, an event with its participant list, selection data."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Response, abort, render_template, request
from flask_login import current_user

from participation.db import db
from participation.screening import mask

from .. import lottery, queries
from ..blueprint import bp
from ..models import Event, EventKind
from ..services import evaluations
from ..services.applications import application_of
from ..services.permissions import can_view_event, is_event_moderator, is_event_organizer
from ..services.record import target_consultation
from ..services.seats import held_by_category
from ..services.selection import draw_of, pseudonym_of, public_document


def visible_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not can_view_event(current_user, event):
        abort(404)
    return event


@bp.get("/events/")
def event_list() -> str:
    kind = request.args.get("kind", "")
    when = "past" if request.args.get("when") == "past" else "upcoming"
    page = db.paginate(queries.public_events(kind, when), per_page=20)
    return render_template(
        "events/list.html", page=page, kind=kind, when=when, kinds=list(EventKind)
    )


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int) -> str:
    event = visible_event(event_id)
    record = queries.record_with_comments(event) if event.has_started() else []
    return render_template(
        "events/detail.html",
        event=event,
        held=held_by_category(event.id),
        mine=application_of(current_user, event),
        participants=queries.participants(event) if event.participants_published_at else [],
        draw=draw_of(event),
        record=[(entry, mask(entry.body), comment) for entry, comment in record],
        response_of=queries.published_response,
        evaluation=evaluations.summary(event),
        consultation=target_consultation(event),
        is_organizer=is_event_organizer(current_user, event),
        is_moderator=is_event_moderator(current_user, event),
    )


@functools.cache
def verifier() -> tuple[bytes, str]:
    """The stand-alone verifier is the platform's own lottery module (standard library
    only): its bytes and their SHA-256, published on every selection page."""
    data = Path(lottery.__file__).read_bytes()
    return data, hashlib.sha256(data).hexdigest()


@bp.get("/events/verify_selection.py")
def verifier_file() -> Any:
    data, digest = verifier()
    return Response(
        data,
        mimetype="text/x-python",
        headers={
            "Content-Disposition": 'attachment; filename="verify_selection.py"',
            "X-Content-SHA256": digest,
        },
    )


@bp.get("/events/<int:event_id>/selection")
def selection_page(event_id: int) -> Any:
    """The lottery in plain view: seed hash, seed, and per category the selected and the
    waitlist by pseudonym, with what a citizen needs to re-check it on their own computer."""
    event = visible_event(event_id)
    draw = draw_of(event)
    document = public_document(event)
    if draw is None or document is None:
        abort(404)
    report = lottery.verify(document) if draw.drawn_at else None
    mine = application_of(current_user, event)
    return render_template(
        "events/selection.html",
        event=event,
        draw=draw,
        document=document,
        report=report,
        my_pseudonym=pseudonym_of(mine) if mine else None,
        verifier_sha256=verifier()[1],
    )


@bp.get("/events/<int:event_id>/selection.json")
def selection_json(event_id: int) -> Any:
    event = visible_event(event_id)
    document = public_document(event)
    if document is None:
        return Response(
            json.dumps({"error": "No selection has been published for this event.", "status": 404}),
            status=404,
            mimetype="application/json",
        )
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'inline; filename="selection-{event.id}.json"'},
    )
