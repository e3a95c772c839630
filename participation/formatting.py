"""Jinja filters: local times, numbers and the few helpers every template needs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_time


def register(app: Flask) -> None:
    @app.template_filter("dt")
    def dt(value: datetime | None, fmt: str | None = None) -> str:
        if not value:
            return ""
        if fmt:
            return format_datetime(value, fmt)
        # Date and minutes; seconds are noise on a public page.
        return f"{format_date(value, 'medium')} {format_time(value, 'short')}"

    @app.template_filter("d")
    def d(value: date | datetime | None, fmt: str = "medium") -> str:
        return format_date(value, fmt) if value else ""

    @app.template_filter("iso")
    def iso(value: datetime | date | None) -> str:
        return value.isoformat() if value else ""

    @app.template_global()
    def url_with(**changes: Any) -> str:
        """The current URL with some query arguments changed (filters, pages)."""
        args = request.args.to_dict()
        args.update({k: v for k, v in changes.items() if v is not None})
        for k, v in changes.items():
            if v is None:
                args.pop(k, None)
        return url_for(request.endpoint or "main.home", **(request.view_args or {}), **args)
