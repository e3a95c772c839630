"""Open data, JSON, public reads: decisions, consultations and their feedback.

Only what the public pages show: never a confidential decision, an author, a contact,
an email or an unmasked text.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from participation.db import db
from participation.errors import NotFound, ServiceError
from participation.inputs import int_arg
from participation.registry import registry

from ..blueprint import api
from ..models import Catalogue, Consultation, Decision, ReportEdition, Stage
from ..services import editions, reports
from ..services.catalogue import public_numbers
from .open_data_schema import OPENAPI

MAX_PER_PAGE = 1000


def register(app: Flask) -> None:
    registry(app).openapi.append(OPENAPI)


def _page_args(default_per_page: int) -> tuple[int, int]:
    return (
        int_arg("page", 1),
        int_arg("per_page", default_per_page, high=MAX_PER_PAGE),
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _paged(page: Any, endpoint: str, **view_args: Any) -> dict[str, Any]:
    args = request.args.to_dict()
    args.pop("page", None)

    def link(n: int) -> str:
        return url_for(endpoint, page=n, _external=True, **view_args, **args)

    return {
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
        "next": link(page.next_num) if page.has_next else None,
        "prev": link(page.prev_num) if page.has_prev else None,
    }


# ---- decisions ----------------------------------------------------------------------


def _decision_summary(d: Decision, numbers: dict[int, int] | None = None) -> dict[str, Any]:
    # The public number: counted over public decisions only, so no gap reveals a secret.
    if numbers is None:
        numbers = public_numbers([d.catalogue_id])
    return {
        "id": d.id,
        "title": d.title,
        "year": d.catalogue.year,
        "level": d.catalogue.level,
        "number": numbers.get(d.id),
        "agency": {
            "id": d.organization_id,
            "name": d.organization.name,
            "name_en": d.organization.name_en,
        },
        "stage": d.stage.value,
        "withdrawn": d.withdrawn,
        "updated_at": _iso(d.updated_at),
        "url": url_for("consultations_api.decision", decision_id=d.id, _external=True),
    }


@api.get("/decisions")
def decisions() -> Any:
    page_no, per_page = _page_args(50)
    query = (
        sa.select(Decision)
        .join(Catalogue, Decision.catalogue_id == Catalogue.id)
        .where(~Decision.confidential)
        .options(selectinload(Decision.catalogue), selectinload(Decision.organization))
        .order_by(Catalogue.year.desc(), Decision.number, Decision.id)
    )
    if (year := int_arg("year", low=1990, high=2200)) is not None:
        query = query.where(Catalogue.year == year)
    if (agency := int_arg("agency")) is not None:
        query = query.where(Decision.organization_id == agency)
    if stage := request.args.get("stage"):
        if stage not in Stage.__members__:
            raise ServiceError(
                _("Unknown stage. Use one of: %(s)s.", s=", ".join(Stage.__members__)),
                field="stage",
            )
        query = query.where(Decision.stage == Stage(stage))
    page = db.paginate(
        query, page=page_no, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False
    )
    numbers = public_numbers({d.catalogue_id for d in page.items})
    return jsonify(
        {
            "items": [_decision_summary(d, numbers) for d in page.items],
            **_paged(page, "consultations_api.decisions"),
        }
    )


def _public_decision(decision_id: int) -> Decision:
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.confidential:
        raise NotFound(_("No such decision."))
    return decision


@api.get("/decisions/<int:decision_id>")
def decision(decision_id: int) -> Any:
    d = _public_decision(decision_id)
    body = _decision_summary(d)
    body.update(
        {
            "summary": d.summary,
            "legal_basis": d.legal_basis,
            "planned_start": _iso(d.planned_start),
            "planned_end": _iso(d.planned_end),
            "deliberation": d.deliberation,
            "deliberated_on": _iso(d.deliberated_on),
            "decision_text": d.decision_text,
            "decided_on": _iso(d.decided_on),
            "interpretation": d.interpretation,
            "drafts": [
                {
                    "version": v.version,
                    "title": v.title,
                    "is_final": v.is_final,
                    "published_at": _iso(v.published_at),
                }
                for v in d.drafts
                if v.published_at is not None
            ],
            "consultations": [_consultation_summary(c) for c in d.consultations],
            "adjustments": [
                {"at": _iso(a.at), "kind": a.kind, "changes": a.changes, "reason": a.reason}
                for a in d.adjustments
            ],
        }
    )
    return jsonify(body)


# ---- consultations ------------------------------------------------------------------


def _consultation_summary(c: Consultation) -> dict[str, Any]:
    published = c.report_published_at is not None
    return {
        "id": c.id,
        "title": c.title,
        "state": c.state(),
        "opens_at": _iso(c.opens_at),
        "closes_at": _iso(c.closes_at),
        "report_published_at": _iso(c.report_published_at),
        "url": url_for("consultations_api.consultation", consultation_id=c.id, _external=True),
        "feedback_url": url_for(
            "consultations_api.consultation_feedback", consultation_id=c.id, _external=True
        )
        if published
        else None,
    }


@api.get("/consultations/<int:consultation_id>")
def consultation(consultation_id: int) -> Any:
    c = reports.get_public_consultation(consultation_id)
    body = _consultation_summary(c)
    body.update(
        {
            "decision_id": c.decision_id,
            "agency": {"id": c.decision.organization_id, "name": c.decision.organization.name},
            "short_window_reason": c.short_window_reason,
            "how_to_comment": {
                "postal_address": c.postal_address,
                "email": c.email,
                "phone": c.phone,
            },  # the agency's public channels
            "draft": {
                "version": c.draft.version,
                "title": c.draft.title,
                "explanation": c.draft.explanation,
                "articles": [
                    {
                        "id": a.id,
                        "number": a.number,
                        "chapter": a.chapter,
                        "label": a.label,
                        "text": a.text,
                    }
                    for a in c.draft.articles
                ],
            },
            "extensions": [
                {
                    "at": _iso(e.at),
                    "old_closes_at": _iso(e.old_closes_at),
                    "new_closes_at": _iso(e.new_closes_at),
                    "reason": e.reason,
                }
                for e in c.extensions
            ],
            "report_url": url_for("consultations.feedback", consultation_id=c.id, _external=True),
        }
    )
    return jsonify(body)


@api.get("/consultations/<int:consultation_id>/feedback")
@api.get("/consultations/<int:consultation_id>/feedback/v/<int:number>")
def consultation_feedback(consultation_id: int, number: int | None = None) -> Any:
    """The latest published version, or version ``number``: fixed once published."""
    c = reports.get_public_consultation(consultation_id)
    edition = editions.get_edition(c, number)
    page_no, per_page = _page_args(100)
    fig = reports.figures(edition)
    groups = reports.answered_groups(edition)
    threshold = reports.concentrated_threshold()
    total = fig.comments
    pages = max(1, -(-total // per_page))
    rows = [
        {
            **row,
            "submitted_on": _iso(row["submitted_on"]),
            "responded_on": _iso(row["responded_on"]),
        }
        for row in reports.export_rows(
            edition, labels=False, offset=(page_no - 1) * per_page, limit=per_page
        )
    ]
    versions = editions.published_editions(c)

    def this_url(**page: int) -> str:
        if number is None:
            return url_for(
                "consultations_api.consultation_feedback",
                consultation_id=c.id,
                _external=True,
                **page,
            )
        return url_for(
            "consultations_api.consultation_feedback",
            consultation_id=c.id,
            number=number,
            _external=True,
            **page,
        )

    return jsonify(
        {
            "consultation": _consultation_summary(c),
            "version": _version(edition),
            "latest_version": versions[-1].number,
            "versions": [_version(v) for v in versions],
            "summary": edition.summary,
            "figures": {
                "comments": fig.comments,
                "participants": fig.participants,
                "private_comments": fig.private,
                "rejected_comments": fig.rejected,
                "by_channel": fig.by_channel,
                "by_outcome": fig.by_outcome,
                "adoption_rate": round(fig.adoption_rate, 4)
                if fig.adoption_rate is not None
                else None,
                "per_day": [{"date": d.isoformat(), "comments": n} for d, n in fig.per_day],
            },
            "groups": [
                {
                    "id": g.id,
                    "title": g.title,
                    "summary": g.summary,
                    "comments": n,
                    "concentrated": n >= threshold,
                    "outcome": g.response.outcome.value,
                    "reason": g.response.reason,
                    "agency": g.response.organization.name,
                    "responded_on": _iso(g.response.published_at),
                }
                for g, n in groups
            ],
            "comments": rows,
            "page": page_no,
            "per_page": per_page,
            "total": total,
            "pages": pages,
            "next": this_url(page=page_no + 1, per_page=per_page) if page_no < pages else None,
        }
    )


def _version(edition: ReportEdition) -> dict[str, Any]:
    """One published version: what it is, when, what changed, and its stable URLs."""
    fig = reports.figures(edition)
    urls = {"consultation_id": edition.consultation_id, "number": edition.number}
    return {
        "number": edition.number,
        "published_at": _iso(edition.published_at),
        "note": edition.note,
        "changes": {"added": fig.added, "changed": fig.changed, "removed": fig.removed},
        "url": url_for("consultations.feedback_version", **urls, _external=True),
        "json_url": url_for("consultations_api.consultation_feedback", **urls, _external=True),
        "csv_url": url_for("consultations.feedback_csv", **urls, _external=True),
        "xlsx_url": url_for("consultations.feedback_xlsx", **urls, _external=True),
    }
