"""JSON API: public reads of events; applying and withdrawing for signed-in callers."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, request, url_for
from flask_login import current_user

from participation.db import db
from participation.ratelimit import write_limit
from participation.views.api import json_body

from .. import queries
from ..blueprint import api
from ..models import Application, Event
from ..services import applications
from ..services.permissions import can_view_event
from ..services.seats import held_by_category
from ..services.selection import draw_of


def _summary(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind.value,
        "title": event.title,
        "status": event.status.value,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "place": event.place,
        "online_url": event.online_url,
        "seats": event.seats,
        "signup": {
            "opens_at": event.signup_opens_at.isoformat(),
            "closes_at": event.signup_closes_at.isoformat(),
            "state": event.signup_state(),
        },
        "decision_id": event.decision_id,
        "organization": event.organization.name,
        "url": url_for("events.event_detail", event_id=event.id, _external=True),
    }


def _detail(event: Event) -> dict[str, Any]:
    held = held_by_category(event.id)
    data = _summary(event)
    data.update(
        {
            "description": event.description,
            "selection_mode": event.selection_mode.value,
            "selection_rules": event.selection_rules,
            "requires_id_check": event.requires_id_check,
            "cancel_reason": event.cancel_reason,
            "categories": [
                {
                    "key": c.key,
                    "label": c.label,
                    "seats": c.seats,
                    "taken": held.get(c.key, 0),
                    "stakeholder": c.is_stakeholder,
                }
                for c in event.categories
            ],
            "materials": [
                {"title": m.title, "url": m.url, "text": m.body} for m in event.materials
            ],
            "changes": [
                {"at": c.at.isoformat(), "kind": c.kind, "changes": c.changes, "reason": c.reason}
                for c in event.changes
            ],
            "selection_url": url_for("events.selection_json", event_id=event.id, _external=True)
            if draw_of(event)
            else None,
            # Names and affiliations only, once the organizer publishes the list.
            "participants": [
                {"name": a.full_name, "affiliation": a.affiliation, "category": a.category_key}
                for a in queries.participants(event)
            ]
            if event.participants_published_at
            else None,
            "outcome": {"text": event.outcome, "opinions_handling": event.opinions_handling}
            if event.outcome_published_at
            else None,
        }
    )
    return data


@api.get("/events")
def list_events() -> Any:
    when = "past" if request.args.get("when") == "past" else "upcoming"
    page = db.paginate(
        queries.public_events(request.args.get("kind", ""), when),
        per_page=50,
        max_per_page=100,
        error_out=False,  # beyond the last page: an empty page, as documented
    )
    return jsonify(
        {
            "items": [_summary(e) for e in page.items],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
        }
    )


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not can_view_event(current_user, event):
        abort(404)
    return event


@api.get("/events/<int:event_id>")
def get_event(event_id: int) -> Any:
    return jsonify(_detail(_event(event_id)))


def _application(a: Application) -> dict[str, Any]:
    return {
        "id": a.id,
        "event_id": a.event_id,
        "status": a.status.value,
        "category": a.category_key,
        "waitlist_position": a.waitlist_position,
        "offer_expires_at": a.offer_expires_at.isoformat() if a.offer_expires_at else None,
    }


@api.post("/events/<int:event_id>/applications")
@write_limit
def apply(event_id: int) -> Any:
    body = json_body()
    form = {k: str(v) for k, v in body.items() if isinstance(v, str | int | bool)}
    if body.get("id_consent") is True:
        form["id_consent"] = "yes"
    application = applications.apply(current_user, _event(event_id), form)
    db.session.commit()
    return jsonify(_application(application)), 201


@api.post("/events/applications/<int:application_id>/withdraw")
@write_limit
def withdraw(application_id: int) -> Any:
    application = applications.withdraw(current_user, application_id)
    db.session.commit()
    return jsonify(_application(application))


_ERR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/events": {
            "get": {
                "summary": "Hearings, symposiums, observed meetings and open days",
                "parameters": [
                    {
                        "name": "kind",
                        "in": "query",
                        "schema": {
                            "type": "string",
                            "enum": ["hearing", "symposium", "observed_meeting", "open_day"],
                        },
                    },
                    {
                        "name": "when",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["upcoming", "past"]},
                    },
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {
                        "description": "A page of events",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/EventSummary"},
                                        },
                                        "page": {"type": "integer"},
                                        "pages": {"type": "integer"},
                                        "total": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/api/v1/events/{event_id}": {
            "get": {
                "summary": "One event: seats per category, selection method and its changes, "
                "the participant list (names and affiliations) once published",
                "parameters": [
                    {
                        "name": "event_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The event",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Event"}}
                        },
                    },
                    "404": {"description": "No such public event", **_ERR},
                },
            }
        },
        "/events/{event_id}/selection.json": {
            "get": {
                "summary": "Published lottery data: seed hash and pseudonymised applicants "
                "before the draw; seed, selected and waitlist after it. Verify with "
                "the stand-alone /events/verify_selection.py (standard library only): "
                "`python3 verify_selection.py selection.json` (docs/lottery.md)",
                "parameters": [
                    {
                        "name": "event_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {"description": "The selection document"},
                    "404": {"description": "No selection published", **_ERR},
                },
            }
        },
        "/api/v1/events/{event_id}/applications": {
            "post": {
                "summary": "Apply to attend (signed in; once per event)",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "event_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["category", "full_name"],
                                "properties": {
                                    "category": {"type": "string"},
                                    "full_name": {"type": "string"},
                                    "affiliation": {"type": "string"},
                                    "statement": {"type": "string"},
                                    "phone": {"type": "string"},
                                    "id_number": {
                                        "type": "string",
                                        "description": "Only for on-site identity checks",
                                    },
                                    "id_consent": {"type": "boolean"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "The application",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Application"}
                            }
                        },
                    },
                    "400": {"description": "Invalid input", **_ERR},
                    "401": {"description": "Not signed in, or the token is not valid", **_ERR},
                    "403": {"description": "Missing CSRF token (cookie clients)", **_ERR},
                    "409": {"description": "Already applied", **_ERR},
                    "410": {"description": "Sign-up not open", **_ERR},
                },
            }
        },
        "/api/v1/events/applications/{application_id}/withdraw": {
            "post": {
                "summary": "Withdraw one's own application; a held seat passes to the waitlist",
                "security": [{"bearer": []}],
                "parameters": [
                    {
                        "name": "application_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The application",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Application"}
                            }
                        },
                    },
                    "401": {"description": "Not signed in, or the token is not valid", **_ERR},
                    "403": {"description": "Not yours, or a missing CSRF token", **_ERR},
                    "409": {"description": "No longer active", **_ERR},
                },
            }
        },
    },
    "components": {
        "schemas": {
            "EventSummary": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "kind": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "string"},
                    "starts_at": {"type": "string", "format": "date-time"},
                    "ends_at": {"type": "string", "format": "date-time"},
                    "place": {"type": "string"},
                    "online_url": {"type": "string"},
                    "seats": {"type": "integer"},
                    "signup": {"type": "object"},
                    "decision_id": {"type": ["integer", "null"]},
                    "organization": {"type": "string"},
                    "url": {"type": "string"},
                },
            },
            "Event": {
                "allOf": [
                    {"$ref": "#/components/schemas/EventSummary"},
                    {
                        "type": "object",
                        "properties": {
                            "categories": {"type": "array", "items": {"type": "object"}},
                            "selection_rules": {"type": "string"},
                            "changes": {"type": "array", "items": {"type": "object"}},
                            "selection_url": {"type": ["string", "null"]},
                            "participants": {
                                "type": ["array", "null"],
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "name": {"type": "string"},
                                        "affiliation": {"type": "string"},
                                        "category": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                ]
            },
            "Application": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "event_id": {"type": "integer"},
                    "status": {
                        "type": "string",
                        "enum": [
                            "applied",
                            "confirmed",
                            "offered",
                            "waitlisted",
                            "withdrawn",
                            "declined",
                            "expired",
                            "rejected",
                            "cancelled",
                        ],
                    },
                    "category": {"type": "string"},
                    "waitlist_position": {"type": ["integer", "null"]},
                    "offer_expires_at": {"type": ["string", "null"]},
                },
            },
        }
    },
}
