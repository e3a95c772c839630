"""The public feedback report, each published version at its own stable URL, and
their CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Response, render_template, request, send_file, stream_with_context
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from participation.charts import bar_chart, line_chart
from participation.db import db
from participation.inputs import int_arg
from participation.permissions import is_organizer_of

from ..blueprint import bp
from ..models import Channel, Consultation, Outcome, ReportEdition
from ..services import dashboard as board
from ..services import editions, reports, responses
from . import xlsx_export

PER_PAGE = 50
# Cells Excel would read as a formula are prefixed with an apostrophe (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/consultations/<int:consultation_id>/feedback")
def feedback(consultation_id: int) -> Any:
    """The latest published version; earlier ones stay at /feedback/v/<number>."""
    consultation = reports.get_public_consultation(consultation_id)
    edition = editions.latest_edition(consultation)
    if edition is None:
        return render_template(
            "consultations/feedback_pending.html",
            consultation=consultation,
            deadline=board.feedback_deadline(consultation),
            can_publish=is_organizer_of(current_user, consultation.decision.organization_id),
        )
    return render_template("consultations/feedback.html", **_report_context(consultation, edition))


@bp.get("/consultations/<int:consultation_id>/feedback/v/<int:number>")
def feedback_version(consultation_id: int, number: int) -> Any:
    consultation = reports.get_public_consultation(consultation_id)
    edition = editions.get_edition(consultation, number)
    return render_template("consultations/feedback.html", **_report_context(consultation, edition))


def _report_context(consultation: Consultation, edition: ReportEdition) -> dict[str, Any]:
    fig = reports.figures(edition)
    answered_groups = reports.answered_groups(edition)
    args = request.args.to_dict()
    if reports.is_filtered(args):
        query = reports.edition_entries(edition, args)
        page: Any = db.paginate(query, per_page=PER_PAGE, max_per_page=200)
    else:  # positions 1..n: a page is a key range, no count
        page = reports.entry_page(edition, int_arg("page", 1), PER_PAGE)
    per_day = line_chart(
        [(d.strftime("%m-%d"), n) for d, n in fig.per_day],
        _("Comments per day"),
        empty_text=_("No comments"),
    )
    by_outcome = bar_chart(
        [(str(responses.OUTCOME_LABELS[o]), fig.by_outcome.get(o.value, 0)) for o in Outcome],
        _("Comments by outcome"),
        empty_text=_("No comments"),
    )
    versions = editions.published_editions(consultation)
    return {
        "consultation": consultation,
        "edition": edition,
        "versions": versions,
        "latest": versions[-1],
        "first": versions[0],
        "fig": fig,
        "per_day_chart": per_day,
        "outcome_chart": by_outcome,
        "groups": answered_groups,
        "concentrated": reports.concentrated(answered_groups),
        "threshold": reports.concentrated_threshold(),
        "page": page,
        "args": args,
        "channels": [c for c in Channel if fig.by_channel.get(c.value)],
        "outcomes": list(Outcome),
        # Resolved once: a lazy label translates again on every use in the loop.
        "channel_labels": {k: str(v) for k, v in reports.CHANNEL_LABELS.items()},
        "outcome_labels": {k: str(v) for k, v in responses.OUTCOME_LABELS.items()},
        "change_labels": {k: str(v) for k, v in reports.CHANGE_LABELS.items()},
        "outcome_badges": responses.OUTCOME_BADGES,
        "day": _day_formatter(),
    }


def _day_formatter() -> Any:
    """Local calendar day, formatted once per distinct day (a page repeats a few)."""
    seen: dict[Any, str] = {}

    def day(value: Any) -> str:
        if value is None:
            return ""
        local = board.local_date(value)
        if local not in seen:
            seen[local] = format_date(local)
        return seen[local]

    return day


# ---- exports ------------------------------------------------------------------------


def _edition(consultation_id: int, number: int | None) -> tuple[Consultation, ReportEdition]:
    consultation = reports.get_public_consultation(consultation_id)
    return consultation, editions.get_edition(consultation, number)


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text(value: Any) -> Any:
    """CSV cells: dates as ISO days, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


def _filename(edition: ReportEdition, ext: str) -> str:
    return f"feedback-{edition.consultation_id}-v{edition.number}.{ext}"


@bp.get("/consultations/<int:consultation_id>/feedback.csv")
@bp.get("/consultations/<int:consultation_id>/feedback/v/<int:number>.csv")
def feedback_csv(consultation_id: int, number: int | None = None) -> Response:
    _consultation, edition = _edition(consultation_id, number)
    fields = reports.EXPORT_FIELDS

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        # The BOM makes Excel read UTF-8; CRLF is what RFC 4180 and Excel expect.
        buf.write("\ufeff")
        writer.writerow(reports.export_headers())
        for n, row in enumerate(reports.export_rows(edition), 1):
            writer.writerow([_safe_cell(_text(row[f])) for f in fields])
            if n % 500 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename={_filename(edition, 'csv')}",
            # A numbered version never changes; the unnumbered URL follows the latest.
            "Cache-Control": "public, max-age=86400" if number else "no-cache",
        },
    )


# Column widths in characters, by field: long texts wide and wrapped, codes narrow.
_XLSX_WIDTHS = {
    "receipt": 20,
    "article": 12,
    "channel": 10,
    "group": 24,
    "published_text": 60,
    "outcome": 10,
    "reason": 50,
    "agency": 24,
    "submitted_on": 12,
    "responded_on": 12,
    "change": 16,
    "version": 8,
}
_WRAPPED = {"group", "published_text", "reason", "agency"}


@bp.get("/consultations/<int:consultation_id>/feedback.xlsx")
@bp.get("/consultations/<int:consultation_id>/feedback/v/<int:number>.xlsx")
def feedback_xlsx(consultation_id: int, number: int | None = None) -> Any:
    consultation, edition = _edition(consultation_id, number)
    out = xlsx_export.workbook(
        title=_("Feedback")[:31],
        headers=reports.export_headers(),
        fields=reports.EXPORT_FIELDS,
        rows=({f: _safe_cell(v) for f, v in row.items()} for row in reports.export_rows(edition)),
        widths=_XLSX_WIDTHS,
        wrapped=_WRAPPED,
        properties={
            "title": f"{consultation.title} · {_('Feedback report')}",
            "version": str(edition.number),
            "subject": _(
                "Version %(n)d, published %(date)s",
                n=edition.number,
                date=format_date(board.local_date(edition.published_at)),
            ),
        },
    )
    return send_file(
        out,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=_filename(edition, "xlsx"),
    )
