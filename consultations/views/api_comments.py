"""The comment API: submit an opinion, read a receipt."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from participation.db import db
from participation.errors import NotFound, Unauthenticated
from participation.extensions import csrf
from participation.ratelimit import write_limit
from participation.registry import registry

from ..blueprint import api
from ..services import comments, receipts


def _receipt_json(receipt: comments.Receipt) -> dict[str, Any]:
    return {
        "receipt_no": receipt.receipt_no,
        "status": receipt.status.value,
        "receipt_url": url_for(
            "consultations.receipt", receipt_no=receipt.receipt_no, _external=True
        ),
        "consultation_id": receipt.consultation_id,
        "article": receipt.article_number,
        "publish_mode": receipt.publish_mode.value,
        "submitted_at": receipt.submitted_at.isoformat(),
    }


# CSRF for cookie clients is checked by the core's API guard (X-CSRFToken); bearer
# token clients have none, so the form-oriented global check must not run here.
@csrf.exempt
@api.post("/consultations/<int:consultation_id>/comments")
@write_limit
def create_comment(consultation_id: int) -> Any:
    if not current_user.is_authenticated:  # the core API guard says so first
        raise Unauthenticated(_("Please sign in first."))
    consultation = comments.consultation_for_comments(consultation_id)
    if consultation is None or consultation.decision.confidential:
        raise NotFound(_("No such consultation."))
    from participation.views.api import json_body

    data = json_body()
    submission = comments.submit_comment(
        current_user,
        consultation,
        body=data.get("body"),
        article_number=data.get("article"),
        publish_mode=data.get("publish_mode") or "named",
        as_organization_id=data.get("as_organization_id"),
        idempotency_key=request.headers.get("Idempotency-Key"),
        stored_at_once=True,  # the comment is this request's only write
    )
    # Everything the answer needs is read before the commit: committing expires the
    # loaded objects, and reloading them could fail (pool exhausted, database gone)
    # after the comment is already stored, turning a stored comment into a 500.
    payload = _receipt_json(submission.receipt)
    location = url_for(".receipt", receipt_no=payload["receipt_no"], _external=True)
    db.session.commit()
    resp = jsonify(payload)
    resp.status_code = 201 if submission.created else 200
    resp.headers["Location"] = location
    if not submission.created:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


@api.get("/receipts/<receipt_no>")
def receipt(receipt_no: str) -> Any:
    comment = receipts.find_by_receipt(receipt_no)
    view = receipts.receipt_view(comment, str(get_locale() or "zh"))
    return jsonify(
        {
            "receipt_no": view.receipt_no,
            "status": view.status,
            "consultation": {"id": view.consultation_id, "title": view.consultation_title},
            "article": view.article_label or None,
            "channel": view.channel,
            "submitted_at": view.submitted_at.isoformat(),
            "author": view.author,
            "text": view.text,
            "moderation_reason": view.moderation_reason or None,
            "response": {
                "outcome": view.outcome,
                "reason": view.response_reason,
                "published_at": view.responded_at.isoformat() if view.responded_at else None,
            }
            if view.outcome
            else None,
            "receipt_url": url_for(
                "consultations.receipt", receipt_no=view.receipt_no, _external=True
            ),
        }
    )


def register(app: Flask) -> None:
    registry(app).openapi.append(OPENAPI)


@api.errorhandler(sa.exc.TimeoutError)
def _database_busy(exc: sa.exc.TimeoutError) -> Any:
    """No database connection became free in time (pool timeout): a clear, retryable 503.

    Raised before anything was written (connections are taken at the first query), so
    the client may simply retry; with an Idempotency-Key a retry is always safe.
    """
    current_app.logger.warning("database connection pool exhausted: %s", exc)
    db.session.rollback()
    message = _("We could not store your comment. Please try again.")
    resp = jsonify({"error": message, "status": 503})
    resp.status_code = 503
    resp.headers["Retry-After"] = "2"
    return resp


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

OPENAPI: dict[str, Any] = {
    "paths": {
        "/api/v1/consultations/{consultation_id}/comments": {
            "post": {
                "summary": "Submit an opinion on an open consultation",
                "description": "Needs a signed-in session with an X-CSRFToken header, or a "
                "personal token (Authorization: Bearer cy_...). Send an Idempotency-Key "
                "header to make retries safe: the same key returns the first opinion (200) "
                "instead of storing a second; the same key with a different body is a 409.",
                "security": [{"bearer": []}, {}],
                "parameters": [
                    {
                        "name": "consultation_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "minLength": 8, "maxLength": 80},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewComment"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Received; the receipt",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/CommentReceipt"}
                            }
                        },
                    },
                    "200": {"description": "A replay of an earlier request with the same key"},
                    "400": {"description": "Invalid input", "content": _ERROR},
                    "401": {
                        "description": "Not signed in, or the token is not valid "
                        '(WWW-Authenticate: Bearer, error="invalid_token")',
                        "content": _ERROR,
                    },
                    "403": {"description": "Missing CSRF token or not allowed", "content": _ERROR},
                    "404": {"description": "No such consultation", "content": _ERROR},
                    "409": {"description": "Idempotency key reused", "content": _ERROR},
                    "410": {"description": "The comment period is not open", "content": _ERROR},
                    "429": {"description": "Rate limit exceeded", "content": _ERROR},
                },
            }
        },
        "/api/v1/receipts/{receipt_no}": {
            "get": {
                "summary": "Check a receipt: status, article, date and published response",
                "description": "Public. Never returns the text of an unpublished opinion "
                "or personal data; the author is named only if they chose so.",
                "parameters": [
                    {
                        "name": "receipt_no",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "example": "YJ2026-K7M3-Q9XA-1G"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The receipt",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Receipt"}}
                        },
                    },
                    "400": {"description": "Not a valid receipt number", "content": _ERROR},
                    "404": {"description": "No opinion has this number", "content": _ERROR},
                },
            }
        },
    },
    "components": {
        "schemas": {
            "NewComment": {
                "type": "object",
                "required": ["body"],
                "properties": {
                    "body": {"type": "string", "minLength": 5, "maxLength": 5000},
                    "article": {
                        "type": ["integer", "null"],
                        "description": "Article number in this consultation's draft; "
                        "omit for the whole draft",
                    },
                    "publish_mode": {
                        "type": "string",
                        "enum": ["named", "anonymous", "private"],
                        "default": "named",
                    },
                    "as_organization_id": {
                        "type": ["integer", "null"],
                        "description": "Comment on behalf of an organization you belong to",
                    },
                },
            },
            "CommentReceipt": {
                "type": "object",
                "properties": {
                    "receipt_no": {"type": "string"},
                    "status": {"type": "string", "enum": ["pending", "accepted", "rejected"]},
                    "receipt_url": {"type": "string", "format": "uri"},
                    "consultation_id": {"type": "integer"},
                    "article": {"type": ["integer", "null"]},
                    "publish_mode": {"type": "string"},
                    "submitted_at": {"type": "string", "format": "date-time"},
                },
            },
            "Receipt": {
                "type": "object",
                "properties": {
                    "receipt_no": {"type": "string"},
                    "status": {"type": "string"},
                    "consultation": {"type": "object"},
                    "article": {"type": ["string", "null"]},
                    "channel": {"type": "string"},
                    "submitted_at": {"type": "string", "format": "date-time"},
                    "author": {"type": "string"},
                    "text": {"type": ["string", "null"]},
                    "moderation_reason": {"type": ["string", "null"]},
                    "response": {"type": ["object", "null"]},
                    "receipt_url": {"type": "string", "format": "uri"},
                },
            },
        }
    },
}
