"""Organizer exports: applications, selection, attendance as CSV (UTF-8 BOM) and XLSX.

ID numbers never leave the platform: exports show only whether one was given.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook

from participation.db import db
from participation.errors import NotFound
from participation.models import User

from ..models import Application, ApplicationStatus, Event
from ..queries import event_applications
from .permissions import require_event_organizer
from .selection import pseudonym_of

KINDS = ("applications", "selection", "attendance")


def _cell(value: object) -> object:
    # Spreadsheet formula injection: a leading =, +, - or @ would be run by Excel.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def rows(actor: User, event: Event, kind: str) -> tuple[list[str], list[list[object]]]:
    require_event_organizer(actor, event)
    if kind not in KINDS:
        raise NotFound(_("Unknown export."))
    apps: list[Application] = list(db.session.scalars(event_applications(event)))
    labels = {c.key: c.label for c in event.categories}
    if kind == "applications":
        header = [
            _("No."),
            _("Name"),
            _("Affiliation"),
            _("Category"),
            _("Status"),
            _("Applied at"),
            _("Phone"),
            _("ID checked on site"),
            _("Statement"),
        ]
        body = [
            [
                a.id,
                a.full_name,
                a.affiliation,
                labels.get(a.category_key, a.category_key),
                a.status.value,
                a.applied_at.isoformat(timespec="seconds"),
                a.phone,
                _("yes") if a.id_number else "",
                a.statement,
            ]
            for a in apps
        ]
    elif kind == "selection":
        header = [_("Pseudonym"), _("Name"), _("Category"), _("Status"), _("Waitlist position")]
        body = [
            [
                pseudonym_of(a),
                a.full_name,
                labels.get(a.category_key, a.category_key),
                a.status.value,
                a.waitlist_position or "",
            ]
            for a in apps
        ]
    else:
        header = [_("Name"), _("Affiliation"), _("Category"), _("Checked in at")]
        body = [
            [
                a.full_name,
                a.affiliation,
                labels.get(a.category_key, a.category_key),
                a.checked_in_at.isoformat(timespec="seconds") if a.checked_in_at else _("absent"),
            ]
            for a in apps
            if a.status == ApplicationStatus.confirmed
        ]
    return header, [[_cell(v) for v in row] for row in body]


def to_csv(header: list[str], body: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def to_xlsx(header: list[str], body: list[list[object]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
