"""Atom feed of newly published feedback reports (RFC 4287), built with xml.etree so every
text is escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML, never parse it
from typing import Any

from flask import Response, url_for
from flask_babel import gettext as _

from participation.db import utcnow

from ..blueprint import bp
from ..services import reports

ATOM = "http://www.w3.org/2005/Atom"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


@bp.get("/feeds/feedback.atom")
def feedback_feed() -> Any:
    items = reports.recently_reported(50)
    self_url = url_for(".feedback_feed", _external=True)
    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "id", self_url)
    _sub(feed, "title", _("Published feedback reports"))
    updated = items[0][1] if items else utcnow()
    _sub(feed, "updated", updated.isoformat())
    _sub(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=url_for("main.home", _external=True))
    author = _sub(feed, "author")
    _sub(author, "name", _("Shandong Public Participation Platform"))
    for c, latest in items:
        url = url_for(".feedback", consultation_id=c.id, _external=True)
        entry = _sub(feed, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", _("Feedback report: %(title)s", title=c.title))
        _sub(entry, "updated", latest.isoformat())  # its latest version
        _sub(entry, "published", c.report_published_at.isoformat())
        _sub(entry, "link", rel="alternate", href=url, type="text/html")
        _sub(
            entry,
            "link",
            rel="enclosure",
            href=url_for(".feedback_csv", consultation_id=c.id, _external=True),
            type="text/csv",
        )
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", c.decision.organization.name)
        _sub(entry, "summary", c.report_summary[:1000], type="text")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>\n' + body,
        mimetype="application/atom+xml",
    )
