"""Staff pages for answering comments: the dashboard, one consultation's comment list with
filters and bulk actions, the response form, and the report publication."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.db import db
from participation.errors import ServiceError
from participation.ratelimit import write_limit
from participation.registry import PeriodicJob, registry
from participation.views.main import safe_next

from ..blueprint import bp
from ..models import Channel, Comment, Consultation, Outcome
from ..services import dashboard as board
from ..services import editions, groups, reports, responses
from ..tasks import DEADLINE_TASK, RECEIPTS_TASK, STALE_GROUPING_TASK

PER_PAGE = 50


def register(app: Flask) -> None:
    """Configuration defaults of this area, the hourly deadline check and the receipt
    sweep that catches receipts whose nudge was lost."""
    env = os.environ.get
    app.config.setdefault("CONCENTRATED_GROUP_SIZE", int(env("CONCENTRATED_GROUP_SIZE", "5")))
    app.config.setdefault("DEADLINE_ALERT_WORKDAYS", int(env("DEADLINE_ALERT_WORKDAYS", "5")))
    app.config.setdefault("GROUPING_THRESHOLD", float(env("GROUPING_THRESHOLD", "0.5")))
    registry(app).periodic.append(PeriodicJob("feedback-deadlines", 3600, DEADLINE_TASK))
    registry(app).periodic.append(PeriodicJob("comment-receipts", 60, RECEIPTS_TASK))
    registry(app).periodic.append(PeriodicJob("stale-grouping-jobs", 60, STALE_GROUPING_TASK))


def get_consultation(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    return comment


def back(default: str) -> str:
    return safe_next(request.form.get("next") or request.args.get("next"), default)


# ---- dashboard ----------------------------------------------------------------------


@bp.get("/staff/consultations/")
@login_required
def dashboard() -> Any:
    if not current_user.is_staff:
        abort(403)
    page = db.paginate(board.consultations_for(current_user), per_page=20)
    ids = [c.id for c in page.items]
    load = board.workload(ids)
    rows = [
        {"c": c, "load": load[c.id], "deadline": board.feedback_deadline(c)} for c in page.items
    ]
    alerts = [r for r in rows if r["deadline"].alert]
    return render_template(
        "consultations/staff_dashboard.html",
        page=page,
        rows=rows,
        alerts=alerts,
        held_rows=[r for r in rows if r["load"]["held"]],
        alert_days=board.alert_workdays(),
    )


# ---- one consultation: comments, filters, bulk actions ------------------------------


def _work_context(consultation: Consultation) -> dict[str, Any]:
    args = request.args.to_dict()
    page = db.paginate(
        board.staff_comments(consultation, args), per_page=PER_PAGE, max_per_page=200
    )
    return {
        "consultation": consultation,
        "page": page,
        "args": args,
        "load": board.workload([consultation.id])[consultation.id],
        "deadline": board.feedback_deadline(consultation),
        "groups": board.groups_of(consultation),
        "articles": consultation.draft.articles,
        "channels": list(Channel),
        "channel_labels": reports.CHANNEL_LABELS,
        "outcomes": list(Outcome),
        "outcome_labels": responses.OUTCOME_LABELS,
        "outcome_badges": responses.OUTCOME_BADGES,
        "status_labels": responses.STATUS_LABELS,
        "states": board.STATES,
        "effective": responses.effective_response,
    }


@bp.get("/staff/consultations/<int:consultation_id>/")
@login_required
def consultation_work(consultation_id: int) -> Any:
    consultation = get_consultation(consultation_id)
    responses.require_lead_organizer(current_user, consultation)
    return render_template("consultations/staff_consultation.html", **_work_context(consultation))


@bp.post("/staff/consultations/<int:consultation_id>/bulk")
@login_required
@write_limit
def bulk(consultation_id: int) -> Any:
    consultation = get_consultation(consultation_id)
    responses.require_lead_organizer(current_user, consultation)  # 403 before any 400
    form = request.form
    ids = form.getlist("ids")
    action = form.get("action", "")
    try:
        if action == "draft":
            done = len(
                responses.bulk_draft(
                    current_user, consultation, ids, form.get("outcome"), form.get("reason", "")
                )
            )
            message = _("Drafted a response for %(n)d comments.", n=done)
        elif action == "assign":
            group = groups.assign(
                current_user,
                consultation,
                ids,
                group_id=form.get("group_id"),
                new_title=form.get("new_group_title", ""),
            )
            message = _(
                "Added %(n)d comments to the group “%(title)s”.", n=len(ids), title=group.title
            )
        elif action == "approve":
            done = responses.bulk_approve(current_user, consultation, ids)
            message = _("Approved %(n)d responses.", n=done)
        elif action == "publish":
            done = responses.bulk_publish(current_user, consultation, ids)
            message = _("Published %(n)d responses; the authors are notified.", n=done)
        else:
            raise ServiceError(_("Please choose an action."), field="action")
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        ctx = _work_context(consultation)
        return render_template(
            "consultations/staff_consultation.html",
            error=exc.message,
            error_field=exc.field,
            form=form,
            selected={str(i) for i in ids},
            **ctx,
        ), exc.status
    flash(message, "success")
    return redirect(back(url_for(".consultation_work", consultation_id=consultation.id)), 303)


# ---- the response form of one comment ----------------------------------------------


def _comment_form(comment: Comment, **extra: Any) -> str:
    return render_template(
        "consultations/staff_response.html",
        comment=comment,
        consultation=comment.consultation,
        response=comment.response,
        group=comment.group,
        outcomes=list(Outcome),
        outcome_labels=responses.OUTCOME_LABELS,
        status_labels=responses.STATUS_LABELS,
        channel_labels=reports.CHANNEL_LABELS,
        form=extra.pop("form", {}),
        **extra,
    )


@bp.route("/staff/comments/<int:comment_id>/response", methods=["GET", "POST"])
@login_required
@write_limit
def comment_response(comment_id: int) -> Any:
    comment = get_comment(comment_id)
    responses.require_lead_organizer(current_user, comment.consultation)
    if request.method == "GET":
        return _comment_form(comment)
    try:
        responses.draft_for_comment(
            current_user, comment, request.form.get("outcome"), request.form.get("reason", "")
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _comment_form(
            comment, error=exc.message, error_field=exc.field, form=request.form
        ), exc.status
    flash(_("The draft is saved. Another member of the agency must approve it."), "success")
    return redirect(url_for(".comment_response", comment_id=comment.id), 303)


def _response_target_url(response_id: int) -> str:
    response = responses.get_response(response_id)
    if response.comment_id is not None:
        return url_for(".comment_response", comment_id=response.comment_id)
    return url_for(".group_detail", group_id=response.group_id)


@bp.post("/staff/responses/<int:response_id>/approve")
@login_required
@write_limit
def approve_response(response_id: int) -> Any:
    response = responses.get_response(response_id)
    target = _response_target_url(response_id)
    responses.approve(current_user, response)
    if request.form.get("publish") == "1":
        responses.publish(current_user, response)
        db.session.commit()
        flash(_("Approved and published; the authors are notified."), "success")
    else:
        db.session.commit()
        flash(_("Approved. It can now be published."), "success")
    return redirect(back(target), 303)


@bp.post("/staff/responses/<int:response_id>/publish")
@login_required
@write_limit
def publish_response(response_id: int) -> Any:
    response = responses.get_response(response_id)
    target = _response_target_url(response_id)
    responses.publish(current_user, response)
    db.session.commit()
    flash(_("Published; the authors are notified."), "success")
    return redirect(back(target), 303)


@bp.post("/staff/responses/<int:response_id>/discard")
@login_required
@write_limit
def discard_response(response_id: int) -> Any:
    response = responses.get_response(response_id)
    target = _response_target_url(response_id)
    responses.discard(current_user, response)
    db.session.commit()
    flash(_("The draft response was withdrawn."), "info")
    return redirect(back(target), 303)


# ---- publishing the feedback report -------------------------------------------------


def _report_form(consultation: Consultation, **extra: Any) -> str:
    latest = editions.latest_edition(consultation)
    return render_template(
        "consultations/staff_report.html",
        consultation=consultation,
        latest=latest,
        versions=editions.published_editions(consultation),
        addendum=editions.draft_addendum(consultation),
        blockers=editions.blockers(consultation),
        pending=editions.pending_changes(consultation, latest) if latest else None,
        deadline=board.feedback_deadline(consultation),
        form=extra.pop("form", {}),
        **extra,
    )


def _report_action(consultation: Consultation, action: Any, done: str) -> Any:
    """Run one publication step; a refusal re-renders the page with what is missing."""
    try:
        edition = action()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _report_form(
            consultation, error=exc.message, error_field=exc.field, form=request.form
        ), exc.status
    flash(done, "success")
    if edition is not None and edition.is_published:
        return redirect(url_for(".feedback", consultation_id=consultation.id), 303)
    return redirect(url_for(".report_publish", consultation_id=consultation.id), 303)


@bp.route("/staff/consultations/<int:consultation_id>/report", methods=["GET", "POST"])
@login_required
@write_limit
def report_publish(consultation_id: int) -> Any:
    """Version 1 is published here; once it is, this page drafts the next addendum."""
    consultation = get_consultation(consultation_id)
    responses.require_lead_organizer(current_user, consultation)
    if request.method == "GET":
        return _report_form(consultation)
    summary = request.form.get("summary", "")
    if editions.latest_edition(consultation) is None:
        return _report_action(
            consultation,
            lambda: editions.publish_report(current_user, consultation, summary),
            _("The feedback report is published."),
        )
    return _report_action(
        consultation,
        lambda: editions.save_addendum(
            current_user, consultation, summary, request.form.get("note", "")
        ),
        _("The addendum is saved. Another member of the agency must publish it."),
    )


@bp.post("/staff/consultations/<int:consultation_id>/report/addendum/publish")
@login_required
@write_limit
def addendum_publish(consultation_id: int) -> Any:
    consultation = get_consultation(consultation_id)
    responses.require_lead_organizer(current_user, consultation)
    return _report_action(
        consultation,
        lambda: editions.publish_addendum(current_user, consultation),
        _("The addendum is published as a new version of the report."),
    )


@bp.post("/staff/consultations/<int:consultation_id>/report/addendum/discard")
@login_required
@write_limit
def addendum_discard(consultation_id: int) -> Any:
    consultation = get_consultation(consultation_id)
    responses.require_lead_organizer(current_user, consultation)
    return _report_action(
        consultation,
        lambda: editions.discard_addendum(current_user, consultation),
        _("The drafted addendum was withdrawn."),
    )


# Group pages attach their routes to the same blueprint; they must load before it is
# registered, and they use the helpers above.
from . import staff_groups  # noqa: E402, F401
