"""Jinja filters: local times, numbers and the few helpers every template needs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, format_time, gettext, ngettext

from .db import utcnow
from .registry import registry

_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def duration(delta: timedelta) -> str:
    """A length of time as people say it: whole days from one day up, whole hours under a
    day, whole minutes under an hour. Rounded down, so time left is never overstated
    ("1 day" with five minutes left was the bug this replaces)."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= _DAY:
        return ngettext("%(num)d day", "%(num)d days", seconds // _DAY)
    if seconds >= _HOUR:
        return ngettext("%(num)d hour", "%(num)d hours", seconds // _HOUR)
    if seconds >= _MINUTE:
        return ngettext("%(num)d minute", "%(num)d minutes", seconds // _MINUTE)
    return gettext("less than a minute")


def time_left(until: datetime, now: datetime | None = None) -> str:
    """ "3 days left", "5 hours left", "5 minutes left"; "time is up" once passed."""
    left = until - (now or utcnow())
    if left.total_seconds() <= 0:
        return gettext("time is up")
    return gettext("%(time)s left", time=duration(left))


def time_until(moment: datetime, now: datetime | None = None) -> str:
    """How long until something starts: "in 3 hours"; "any moment now" once it is time."""
    ahead = moment - (now or utcnow())
    if ahead.total_seconds() <= 0:
        return gettext("any moment now")
    return gettext("in %(time)s", time=duration(ahead))


def data_heading(key: str, count: int) -> str:
    """The heading of one kind of personal data on the account page, with its number
    ("12 条意见"); features name their own kinds through the "account.data_heading" hook."""
    for text in registry().call("account.data_heading", key, count):
        if text:
            return str(text)
    return f"{gettext(key)} ({count})"


def end_of_local_day(day: date) -> datetime:
    """The last moment of a calendar day in the platform's zone: a date deadline's end."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    return datetime.combine(day + timedelta(days=1), time(), zone).astimezone(ZoneInfo("UTC"))


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

    app.add_template_filter(duration, "duration")
    app.add_template_global(time_left, "time_left")
    app.add_template_global(time_until, "time_until")
    app.add_template_filter(end_of_local_day, "end_of_day")
    app.add_template_global(data_heading, "data_heading")

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
