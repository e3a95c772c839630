"""Validation of Socket.IO payloads: wrong shapes get a clear, field-named error."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from participation.errors import ServiceError
from participation.inputs import check_text


def as_dict(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ServiceError(_("The request could not be understood."))
    return data


def get_int(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ServiceError(_("The field %(name)s must be a number.", name=name), field=name)
    return value


def get_str(data: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError(_("The field %(name)s must be text.", name=name), field=name)
    if len(value) > limit:
        raise ServiceError(_("Please keep this under %(n)d characters.", n=limit), field=name)
    check_text(value, name)  # NUL or a lone surrogate would fail in the database
    if required and not value.strip():
        raise ServiceError(_("Please fill in this field."), field=name)
    return value


def get_bool(data: dict[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ServiceError(_("The field %(name)s must be true or false.", name=name), field=name)
    return value


def get_date(data: dict[str, Any], name: str) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(_("Please give a date as YYYY-MM-DD."), field=name) from None
