"""API basics shared by every feature: the OpenAPI document and the caller's identity."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from ..errors import PermissionDenied, ServiceError, Unauthenticated
from ..extensions import csrf
from ..registry import registry

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # checked below: token clients need none, cookie clients must send one


def protect_api_writes() -> None:
    """Every API write needs an identity; cookie-authenticated writes also need the CSRF
    header, bearer tokens do not.

    Without an identity there is nothing a forged request could borrow, so the client is
    told how to authenticate (401, RFC 6750) instead of being asked for a CSRF token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    # Load the caller now: the bearer-token loader is what sets g.api_token_auth.
    if not current_user.is_authenticated:
        if request.headers.get("Authorization", "").startswith("Bearer "):
            raise Unauthenticated(
                _("This personal token is not valid. Create a new one in your account."),
                invalid_token=True,
            )
        raise Unauthenticated(_("Please sign in first."))
    if g.get("api_token_auth") or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return  # a token cannot be forged by another site; CSRF is off only in tests
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except ValidationError as exc:
        raise PermissionDenied(_("Missing or invalid CSRF token.")) from exc


def json_body(max_keys: int = 50) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or len(data) > max_keys:
        raise ServiceError(_("The request body must be a JSON object."))
    return data


@bp.before_app_request
def _api_guard() -> None:
    if request.path.startswith("/api/"):
        protect_api_writes()


@bp.get("/me")
def me() -> Any:
    if not current_user.is_authenticated:
        return jsonify({"authenticated": False})
    return jsonify(
        {"authenticated": True, "id": current_user.id, "display_name": current_user.display_name}
    )


@bp.get("/openapi.json")
def openapi() -> Any:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Public participation platform API",
            "version": "1.0.0",
            "description": "Open data on decisions, consultations, feedback and events. "
            "Reads need no account. Writes take a session cookie with an X-CSRFToken "
            "header, or a personal token: `Authorization: Bearer cy_...`.",
        },
        "servers": [{"url": url_for("main.home", _external=True).rstrip("/")}],
        "paths": {
            "/api/v1/me": {
                "get": {
                    "summary": "Who the caller is",
                    "responses": {"200": {"description": "Identity of the caller"}},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "status": {"type": "integer"},
                        "field": {"type": "string"},
                    },
                }
            },
        },
    }
    for part in registry().openapi:
        doc["paths"].update(part.get("paths", {}))
        for key, value in part.get("components", {}).items():
            doc["components"].setdefault(key, {}).update(value)
    return jsonify(doc)
