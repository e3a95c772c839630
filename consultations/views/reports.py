"""The public feedback report and its CSV and XLSX exports (stable URLs)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import Any

from flask import Response, render_template, request, send_file, stream_with_context
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook

from participation.charts import bar_chart, line_chart
from participation.db import db
from participation.permissions import is_organizer_of

from ..blueprint import bp
from ..models import Channel, Consultation, Outcome
from ..services import dashboard as board
from ..services import reports, responses

PER_PAGE = 50
# Cells Excel would read as a formula are prefixed with an apostrophe (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/consultations/<int:consultation_id>/feedback")
def feedback(consultation_id: int) -> Any:
    consultation = reports.get_public_consultation(consultation_id)
    if consultation.report_published_at is None:
        return render_template(
            "consultations/feedback_pending.html",
            consultation=consultation,
            deadline=board.feedback_deadline(consultation),
            can_publish=is_organizer_of(current_user, consultation.decision.organization_id),
        )
    return render_template("consultations/feedback.html", **_report_context(consultation))


def _report_context(consultation: Consultation) -> dict[str, Any]:
    fig = reports.figures(consultation)
    answered_groups = reports.answered_groups(consultation)
    args = request.args.to_dict()
    query = reports.published_comments(consultation, args)
    if any(args.get(k) for k in ("channel", "outcome")):
        page: Any = db.paginate(query, per_page=PER_PAGE, max_per_page=200)
    else:  # the figures counted them already: no second scan, nearest-end offset
        page = reports.comment_page(
            consultation, query, request.args.get("page", 1, type=int) or 1, PER_PAGE, fig.comments
        )
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
    return {
        "consultation": consultation,
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
        "outcome_badges": responses.OUTCOME_BADGES,
        "effective": responses.effective_response,
        "public_text": reports.public_text,
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


def _published(consultation_id: int) -> Consultation:
    consultation = reports.get_public_consultation(consultation_id)
    reports.require_published_report(consultation)
    return consultation


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _filename(consultation: Consultation, ext: str) -> str:
    return f"feedback-{consultation.id}.{ext}"


@bp.get("/consultations/<int:consultation_id>/feedback.csv")
def feedback_csv(consultation_id: int) -> Response:
    consultation = _published(consultation_id)
    fields = reports.EXPORT_FIELDS

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        # The BOM makes Excel read UTF-8; CRLF is what RFC 4180 and Excel expect.
        buf.write("\ufeff")
        writer.writerow(reports.export_headers())
        for n, row in enumerate(reports.export_rows(consultation), 1):
            writer.writerow([_safe_cell(row[f]) for f in fields])
            if n % 500 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename={_filename(consultation, 'csv')}",
            "Cache-Control": "no-cache",
        },
    )


@bp.get("/consultations/<int:consultation_id>/feedback.xlsx")
def feedback_xlsx(consultation_id: int) -> Any:
    consultation = _published(consultation_id)
    wb = Workbook(write_only=True)  # rows go straight to disk, memory stays flat
    ws = wb.create_sheet(_("Feedback")[:31])
    ws.append(reports.export_headers())
    for row in reports.export_rows(consultation):
        ws.append([_safe_cell(row[f]) for f in reports.EXPORT_FIELDS])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    wb.save(out)
    out.seek(0)
    return send_file(
        out,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=_filename(consultation, "xlsx"),
    )
