"""Staff pages for comment groups: run the similarity grouping (with a progress bar),
confirm, split, merge or dissolve groups, and answer a group once."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.db import db
from participation.errors import ServiceError
from participation.ratelimit import write_limit

from ..blueprint import bp
from ..models import GroupingJob, Outcome
from ..services import dashboard as board
from ..services import groups, reports, responses
from .staff import back, get_consultation


def _job_json(job: GroupingJob | None) -> dict[str, Any]:
    if job is None:
        return {"status": "none"}
    percent = int(100 * job.done / job.total) if job.total else (100 if job.status == "done" else 0)
    return {
        "id": job.id,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": percent,
        "result": job.result or {},
    }


@bp.get("/staff/consultations/<int:consultation_id>/groups")
@login_required
def groups_page(consultation_id: int) -> Any:
    consultation = get_consultation(consultation_id)
    responses.require_lead_organizer(current_user, consultation)
    all_groups = board.groups_of(consultation)
    sizes = groups.member_counts(g.id for g in all_groups)
    job = groups.latest_job(consultation)
    return render_template(
        "consultations/staff_groups.html",
        consultation=consultation,
        proposed=[g for g in all_groups if not g.confirmed],
        confirmed=[g for g in all_groups if g.confirmed],
        sizes=sizes,
        job=job,
        job_state=_job_json(job),
        threshold=groups.concentrated_threshold(),
        outcome_labels=responses.OUTCOME_LABELS,
        status_labels=responses.STATUS_LABELS,
    )


@bp.post("/staff/consultations/<int:consultation_id>/groups/run")
@login_required
@write_limit
def run_grouping(consultation_id: int) -> Any:
    consultation = get_consultation(consultation_id)
    groups.start_grouping(current_user, consultation)
    db.session.commit()  # the task is queued after this commit
    return redirect(url_for(".groups_page", consultation_id=consultation.id), 303)


@bp.get("/staff/grouping-jobs/<int:job_id>.json")
@login_required
def grouping_job(job_id: int) -> Any:
    job = db.session.get(GroupingJob, job_id)
    if job is None:
        abort(404)
    responses.require_lead_organizer(current_user, get_consultation(job.consultation_id))
    resp = jsonify(_job_json(job))
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _group_page(group_id: int, **extra: Any) -> str:
    group = groups.get_group(group_id)
    consultation = group.consultation
    others = [g for g in board.groups_of(consultation) if g.id != group.id]
    members = sorted(group.comments, key=lambda c: (c.submitted_at, c.id))
    return render_template(
        "consultations/staff_group.html",
        group=group,
        consultation=consultation,
        members=members,
        others=others,
        sizes=groups.member_counts([group.id] + [g.id for g in others]),
        threshold=groups.concentrated_threshold(),
        response=group.response,
        outcomes=list(Outcome),
        outcome_labels=responses.OUTCOME_LABELS,
        status_labels=responses.STATUS_LABELS,
        channel_labels=reports.CHANNEL_LABELS,
        form=extra.pop("form", {}),
        **extra,
    )


@bp.route("/staff/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
@write_limit
def group_detail(group_id: int) -> Any:
    group = groups.get_group(group_id)
    responses.require_lead_organizer(current_user, group.consultation)
    if request.method == "GET":
        return _group_page(group_id)
    form = request.form
    action = form.get("action", "")
    try:
        if action == "confirm":
            groups.confirm(current_user, group, form.get("title", ""), form.get("summary", ""))
            message = _("The group is confirmed.")
        elif action == "respond":
            responses.draft_for_group(
                current_user, group, form.get("outcome"), form.get("reason", "")
            )
            message = _("The draft is saved. Another member of the agency must approve it.")
        elif action == "split":
            new = groups.remove_members(
                current_user, group, form.getlist("ids"), new_title=form.get("new_title", "")
            )
            message = (
                _("The selected comments now form the group “%(title)s”.", title=new.title)
                if new
                else _("The selected comments were removed from the group.")
            )
        elif action == "merge":
            groups.merge(current_user, group, form.getlist("sources"))
            message = _("The groups are merged.")
        elif action == "dissolve":
            consultation_id = group.consultation_id
            groups.dissolve(current_user, group)
            db.session.commit()
            flash(_("The group was dissolved; its comments are ungrouped."), "info")
            return redirect(url_for(".groups_page", consultation_id=consultation_id), 303)
        else:
            raise ServiceError(_("Please choose an action."))
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _group_page(
            group_id, error=exc.message, error_field=exc.field, form=form
        ), exc.status
    flash(message, "success")
    return redirect(back(url_for(".group_detail", group_id=group_id)), 303)
