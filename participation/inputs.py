"""Hostile input refused at the door, once for every route, form, API call and socket.

Numbers beyond the database's integer range, control characters and lone surrogates
would otherwise reach the database driver and fail there as a 500 (PostgreSQL refuses
NUL in text and INTEGER values from 2**31; SQLite overflows at 2**63). One bound and one
text check here keep every caller a clear 4xx, in the user's language.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from .errors import ServiceError

# PostgreSQL INTEGER; SQLite's 2**63 is wider, so one bound serves both engines.
MAX_DB_INT = 2**31 - 1
MAX_JSON_DEPTH = 32

# C0 controls except tab, newline and carriage return (browsers send CRLF from textareas),
# and UTF-16 surrogates, which cannot be encoded to UTF-8 and so cannot be stored.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches only ids the database can hold: anything larger is a 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def int_arg(
    name: str,
    default: int | None = None,
    *,
    low: int = 1,
    high: int = MAX_DB_INT,
    source: Any = None,
) -> Any:
    """An integer query parameter (or form field from `source`), or a 400 that names it
    and says what is allowed."""
    raw = (request.args if source is None else source).get(name)
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 12:
        raise ServiceError(_("“%(name)s” must be a whole number.", name=name), field=name)
    value = int(raw)
    if not low <= value <= high:
        raise ServiceError(
            _("“%(name)s” must be between %(low)d and %(high)d.", name=name, low=low, high=high),
            field=name,
        )
    return value


def unstorable_text_error(field: str) -> ServiceError:
    return ServiceError(
        _("“%(name)s” contains invisible control characters. Please remove them.", name=field),
        field=field,
    )


def check_text(value: str, field: str) -> str:
    if _UNSTORABLE.search(value):
        raise unstorable_text_error(field)
    return value


def _walk_json(value: Any, field: str = "", depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise ServiceError(_("The request is nested too deeply."))
    if isinstance(value, str):
        check_text(value, field or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, field or "body")
            _walk_json(item, str(key), depth + 1)
    elif isinstance(value, list):
        for item in value:
            _walk_json(item, field, depth + 1)


def _check_request() -> None:
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and _UNSTORABLE.search(value):
            raise NotFound()
    for key, value in request.args.items(multi=True):
        check_text(key, key)
        check_text(value, key)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        if request.get_data(cache=True):  # malformed or too deep: 400 before anything else
            _walk_json(request.get_json())
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            check_text(key, key)
            check_text(value, key)


class SafeJSONProvider(DefaultJSONProvider):
    """A body nested deeper than Python's recursion limit is a malformed request (400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter binds when rules are added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = SafeJSONProvider(app)
    app.before_request(_check_request)
