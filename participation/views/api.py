"""API basics shared by every feature: the OpenAPI document and the caller's identity."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from ..errors import PermissionDenied, ServiceError, Unauthenticated
from ..extensions import csrf
from ..inputs import MAX_DB_INT
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
    doc["paths"] = _with_platform_errors(doc["paths"])
    return jsonify(doc)


def _with_platform_errors(paths: dict[str, Any]) -> dict[str, Any]:
    """Refusals that every route can give, whatever its own part says: a bad parameter
    or body (400, participation/inputs.py), an unknown id (404), and on writes no
    identity, no permission, too large or too fast. Integer ids are bounded as the
    `int` converter bounds them."""
    error = {
        "description": "Refused; `error` says why in the caller's language",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    paths = copy.deepcopy(paths)  # the features' parts are module constants
    for operations in paths.values():
        for method, op in operations.items():
            params = op.get("parameters", [])
            codes = ["400"]
            if any(p.get("in") == "path" for p in params):
                codes.append("404")
            if method != "get":
                codes += ["401", "403", "413", "429"]
            for code in codes:
                op.setdefault("responses", {}).setdefault(code, error)
            for p in params:
                if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer":
                    p["schema"] = {**p["schema"], "minimum": 1, "maximum": MAX_DB_INT}
    return paths
