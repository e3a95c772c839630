"""Organizer pages for the catalogue: decisions, adjustments, drafts and consultations.

Routes only: every rule and permission check lives in the services, so a resident or
another agency's organizer gets 403 from the same code the API would use.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from participation.db import db, utcnow
from participation.errors import NotFound, PermissionDenied, ServiceError
from participation.inputs import int_arg
from participation.models import Organization
from participation.ratelimit import write_limit
from participation.registry import NavItem, registry

from ..blueprint import bp
from ..models import Consultation, Decision, DraftVersion, ModerationMode
from ..services import catalogue as catalogue_service
from ..services import drafts as draft_service
from ..services import windows


def register(app: Flask) -> None:
    registry(app).staff_links.append(NavItem("consultations.staff_decisions", _l("Decisions"), 5))


def _form_error(template: str, exc: ServiceError, **ctx: Any) -> tuple[str, int]:
    db.session.rollback()
    return render_template(
        template, error=exc.message, error_field=exc.field, form=request.form, **ctx
    ), exc.status


def _decision(decision_id: int) -> Decision:
    return catalogue_service.manageable_decision(current_user, decision_id)


def _consultation(decision: Decision, consultation_id: int) -> Consultation:
    c = db.session.get(Consultation, consultation_id)
    if c is None or c.decision_id != decision.id:
        raise NotFound(_("There is no such consultation."))
    return c


def _decision_form(d: Decision | None) -> dict[str, Any]:
    if d is None:
        return {"year": utcnow().year, "stage": "planned"}
    return {
        "title": d.title,
        "summary": d.summary,
        "legal_basis": d.legal_basis,
        "planned_start": d.planned_start.isoformat() if d.planned_start else "",
        "planned_end": d.planned_end.isoformat() if d.planned_end else "",
        "stage": d.stage.value,
        "confidential": "on" if d.confidential else "",
    }


# ---- decisions ------------------------------------------------------------------------


@bp.get("/staff/decisions/")
@login_required
def staff_decisions() -> str:
    if not current_user.is_staff:
        raise PermissionDenied(_("Only staff of an agency may see this page."))
    page = db.paginate(catalogue_service.staff_decisions(current_user), per_page=30)
    return render_template("consultations/staff/decisions.html", page=page)


@bp.route("/staff/decisions/new", methods=["GET", "POST"])
@login_required
@write_limit
def staff_new_decision() -> Any:
    agencies = catalogue_service.agencies_for(current_user)
    template = "consultations/staff/decision_form.html"
    if not agencies:  # residents are refused before their input is even read
        raise PermissionDenied(_("Only staff of the responsible agency may do this."))
    if request.method == "GET":
        return render_template(template, form=_decision_form(None), agencies=agencies, d=None)
    try:
        org_id = int_arg("organization_id", 0, low=0, source=request.form)
        org = db.session.get(Organization, org_id)
        if org is None:
            raise ServiceError(_("Please choose the lead agency."), field="organization_id")
        year = int(request.form.get("year") or 0)
        if not 0 <= year <= 9999:  # a catalogue year, never 10**20 into the database
            raise ValueError(year)
        d = catalogue_service.create_decision(current_user, org, year, request.form.to_dict())
        db.session.commit()
    except ValueError:
        return _form_error(
            template,
            ServiceError(_("Please enter a valid year."), field="year"),
            agencies=agencies,
            d=None,
        )
    except ServiceError as exc:
        return _form_error(template, exc, agencies=agencies, d=None)
    flash(_("The decision was added to the catalogue."), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


@bp.get("/staff/decisions/<int:decision_id>")
@login_required
def staff_decision(decision_id: int) -> str:
    d = _decision(decision_id)
    return render_template(
        "consultations/staff/decision.html",
        d=d,
        consultations=[(c, windows.notice(c)) for c in d.consultations],
        modes=list(ModerationMode),
    )


@bp.route("/staff/decisions/<int:decision_id>/edit", methods=["GET", "POST"])
@login_required
@write_limit
def staff_edit_decision(decision_id: int) -> Any:
    d = _decision(decision_id)
    template = "consultations/staff/decision_form.html"
    if request.method == "GET":
        return render_template(template, form=_decision_form(d), d=d, agencies=[])
    try:
        catalogue_service.adjust_decision(current_user, d, request.form.to_dict())
        db.session.commit()
    except ServiceError as exc:
        return _form_error(template, exc, d=d, agencies=[])
    flash(_("The adjustment was saved and is shown publicly with its reason."), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


@bp.route("/staff/decisions/<int:decision_id>/withdraw", methods=["GET", "POST"])
@login_required
@write_limit
def staff_withdraw_decision(decision_id: int) -> Any:
    d = _decision(decision_id)
    template = "consultations/staff/withdraw.html"
    if request.method == "GET":
        return render_template(template, form={}, d=d)
    try:
        catalogue_service.withdraw_decision(current_user, d, request.form.get("reason", ""))
        db.session.commit()
    except ServiceError as exc:
        return _form_error(template, exc, d=d)
    flash(_("The decision was withdrawn from the catalogue."), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


@bp.route("/staff/decisions/<int:decision_id>/outcome", methods=["GET", "POST"])
@login_required
@write_limit
def staff_decision_outcome(decision_id: int) -> Any:
    d = _decision(decision_id)
    template = "consultations/staff/outcome_form.html"
    if request.method == "GET":
        form = {
            "deliberation": d.deliberation,
            "deliberated_on": d.deliberated_on.isoformat() if d.deliberated_on else "",
            "decision_text": d.decision_text,
            "decided_on": d.decided_on.isoformat() if d.decided_on else "",
            "interpretation": d.interpretation,
        }
        return render_template(template, form=form, d=d)
    try:
        catalogue_service.record_outcome(current_user, d, request.form.to_dict())
        db.session.commit()
    except ServiceError as exc:
        return _form_error(template, exc, d=d)
    flash(_("Saved and published on the decision's page."), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


# ---- drafts ---------------------------------------------------------------------------


def _draft_fields() -> dict[str, str]:
    """The text fields of the draft form, as the draft services take them."""
    names = ("title", "source", "explanation", "change_note")
    return {name: request.form.get(name, "") for name in names}


def _draft_saved(d: Decision, draft: DraftVersion) -> Any:
    flash(
        _(
            "Version %(n)d was saved with %(count)d articles.",
            n=draft.version,
            count=len(draft.articles),
        ),
        "success",
    )
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


@bp.route("/staff/decisions/<int:decision_id>/drafts/new", methods=["GET", "POST"])
@login_required
@write_limit
def staff_new_draft(decision_id: int) -> Any:
    d = _decision(decision_id)
    template = "consultations/staff/draft_form.html"
    if request.method == "GET":
        last = d.drafts[-1] if d.drafts else None
        form = {
            "title": last.title if last else d.title + "（征求意见稿）",
            "source": last.source if last else "",
            "explanation": last.explanation if last else "",
        }
        return render_template(template, form=form, d=d)
    try:
        v = draft_service.add_draft_version(
            current_user, d, publish=request.form.get("publish") == "on", **_draft_fields()
        )
        db.session.commit()
    except ServiceError as exc:
        return _form_error(template, exc, d=d)
    return _draft_saved(d, v)


@bp.route("/staff/decisions/<int:decision_id>/drafts/<int:version>/edit", methods=["GET", "POST"])
@login_required
@write_limit
def staff_edit_draft(decision_id: int, version: int) -> Any:
    d = _decision(decision_id)
    draft = draft_service.get_draft(d, version, include_unpublished=True)
    template = "consultations/staff/draft_form.html"
    if request.method == "GET":
        draft_service.require_editable(current_user, draft)  # 409 before a form is filled
        form = {
            "title": draft.title,
            "source": draft.source,
            "explanation": draft.explanation,
            "change_note": draft.change_note,
        }
        return render_template(template, form=form, d=d, draft=draft)
    try:
        draft_service.update_draft_version(current_user, draft, **_draft_fields())
        db.session.commit()
    except ServiceError as exc:
        return _form_error(template, exc, d=d, draft=draft)
    return _draft_saved(d, draft)


@bp.post("/staff/decisions/<int:decision_id>/drafts/<int:version>/delete")
@login_required
@write_limit
def staff_delete_draft(decision_id: int, version: int) -> Any:
    d = _decision(decision_id)
    draft = draft_service.get_draft(d, version, include_unpublished=True)
    try:
        draft_service.delete_draft_version(current_user, draft, request.form.get("reason", ""))
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".staff_decision", decision_id=d.id), 303)
    flash(_("Version %(n)d was deleted.", n=version), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


@bp.post("/staff/decisions/<int:decision_id>/drafts/<int:version>/publish")
@login_required
@write_limit
def staff_publish_draft(decision_id: int, version: int) -> Any:
    d = _decision(decision_id)
    draft_service.publish_draft(
        current_user, draft_service.get_draft(d, version, include_unpublished=True)
    )
    db.session.commit()
    flash(_("Version %(n)d is now public.", n=version), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


@bp.post("/staff/decisions/<int:decision_id>/drafts/<int:version>/final")
@login_required
@write_limit
def staff_final_draft(decision_id: int, version: int) -> Any:
    d = _decision(decision_id)
    draft_service.mark_final(
        current_user, draft_service.get_draft(d, version, include_unpublished=True)
    )
    db.session.commit()
    flash(_("Version %(n)d is marked as the final version.", n=version), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


# ---- consultations --------------------------------------------------------------------


@bp.route("/staff/decisions/<int:decision_id>/consultations/new", methods=["GET", "POST"])
@login_required
@write_limit
def staff_new_consultation(decision_id: int) -> Any:
    d = _decision(decision_id)
    template = "consultations/staff/consultation_form.html"
    drafts = [v for v in d.drafts if v.published_at is not None]
    ctx = {"d": d, "drafts": drafts, "min_days": windows.min_days(), "modes": list(ModerationMode)}
    if request.method == "GET":
        previous = d.consultations[-1] if d.consultations else None
        now = utcnow()
        form = {
            "draft_id": drafts[-1].id if drafts else "",
            "title": drafts[-1].title if drafts else "",
            "opens_at": windows.to_local_input(now),
            # 15:59 UTC is 23:59 in Beijing: a deadline at the end of the day.
            "closes_at": windows.to_local_input(
                now.replace(hour=15, minute=59) + timedelta(days=windows.min_days())
            ),
            "postal_address": previous.postal_address if previous else "",
            "email": previous.email if previous else "",
            "phone": previous.phone if previous else "",
            "moderation": "post",
        }
        return render_template(template, form=form, **ctx)
    try:
        c = windows.create_consultation(current_user, d, request.form.to_dict())
        db.session.commit()
    except ServiceError as exc:
        return _form_error(template, exc, **ctx)
    flash(_("The consultation notice is published."), "success")
    return redirect(url_for(".consultation", consultation_id=c.id), 303)


@bp.route(
    "/staff/decisions/<int:decision_id>/consultations/<int:consultation_id>/extend",
    methods=["GET", "POST"],
)
@login_required
@write_limit
def staff_extend_consultation(decision_id: int, consultation_id: int) -> Any:
    d = _decision(decision_id)
    c = _consultation(d, consultation_id)
    template = "consultations/staff/extend_form.html"
    if request.method == "GET":
        form = {"closes_at": windows.to_local_input(c.closes_at + timedelta(days=7))}
        return render_template(template, form=form, d=d, c=c)
    try:
        windows.extend_window(
            current_user, c, request.form.get("closes_at"), request.form.get("reason")
        )
        db.session.commit()
    except ServiceError as exc:
        return _form_error(template, exc, d=d, c=c)
    flash(_("The deadline was extended; the notice shows the extension."), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)


@bp.post("/staff/decisions/<int:decision_id>/consultations/<int:consultation_id>/moderation")
@login_required
@write_limit
def staff_moderation(decision_id: int, consultation_id: int) -> Any:
    d = _decision(decision_id)
    c = _consultation(d, consultation_id)
    windows.set_moderation(current_user, c, request.form.get("moderation"))
    db.session.commit()
    flash(_("The moderation mode was changed."), "success")
    return redirect(url_for(".staff_decision", decision_id=d.id), 303)
