"""Staff routes for comments: the moderation queue and the entry of offline opinions."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.db import db
from participation.errors import NotFound, ServiceError
from participation.inputs import int_arg
from participation.ratelimit import write_limit
from participation.registry import PeriodicJob, registry

from ..blueprint import bp
from ..models import Channel, CommentStatus, Consultation
from ..services import comments, moderation
from ..tasks import HELD_TASK

PER_PAGE = 25


def register(app: Flask) -> None:
    """The held count in every staff sub-navigation, and the sweep that mails organizers
    when opinions wait for review (at most one mail per consultation per window)."""
    app.add_template_global(moderation.held_count, "held_count")
    app.config.setdefault("HELD_NOTICE_MINUTES", int(os.environ.get("HELD_NOTICE_MINUTES", "60")))
    registry(app).periodic.append(PeriodicJob("held-comment-notices", 300, HELD_TASK))


def _consultation(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(_("No such consultation."))
    moderation.require_moderator(current_user, consultation)
    return consultation


def _status_arg() -> CommentStatus:
    try:
        return CommentStatus(request.args.get("status", "pending"))
    except ValueError:
        return CommentStatus.pending


def _queue_page(consultation: Consultation, status_code: int = 200, **ctx: Any) -> Any:
    status = _status_arg()
    page = db.paginate(
        moderation.queue(current_user, consultation, status),
        page=int_arg("page", 1),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "consultations/staff/moderation.html",
        consultation=consultation,
        page=page,
        status=status,
        counts=moderation.status_counts(consultation),
        **ctx,
    ), status_code


@bp.get("/staff/consultations/<int:consultation_id>/moderation")
@login_required
def moderation_queue(consultation_id: int) -> Any:
    return _queue_page(_consultation(consultation_id))


@bp.post("/staff/consultations/<int:consultation_id>/moderation/<int:comment_id>")
@login_required
@write_limit
def moderate_comment(consultation_id: int, comment_id: int) -> Any:
    consultation = _consultation(consultation_id)
    decision = request.form.get("decision")
    try:
        if decision not in ("accept", "reject"):
            raise ServiceError(_("Please choose to accept or reject."))
        comment = moderation.get_comment(consultation, comment_id)
        moderation.moderate(
            current_user,
            comment,
            accept=decision == "accept",
            reason=request.form.get("reason", ""),
        )
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _queue_page(consultation, exc.status, error=exc.message, error_comment_id=comment_id)
    if decision == "accept":
        flash(_("Opinion %(no)s accepted and published.", no=comment.receipt_no), "success")
    else:
        flash(_("Opinion %(no)s rejected; the author is told why.", no=comment.receipt_no), "info")
    return redirect(
        url_for(".moderation_queue", consultation_id=consultation.id, **request.args), 303
    )


# ---- offline opinions ------------------------------------------------------------------


def _offline_page(consultation: Consultation, status_code: int = 200, **ctx: Any) -> Any:
    recent = db.paginate(
        comments.offline_comments(consultation),
        page=int_arg("page", 1),
        per_page=PER_PAGE,
        error_out=False,
    )
    ctx.setdefault("form", request.form)
    return render_template(
        "consultations/staff/offline.html",
        consultation=consultation,
        recent=recent,
        channels=comments.OFFLINE_CHANNELS,
        **ctx,
    ), status_code


def _parse_date(raw: str) -> datetime | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d")  # Beijing date; the service sets the zone
    except ValueError as exc:
        raise ServiceError(_("Please enter the date as YYYY-MM-DD."), field="received_on") from exc


@bp.route("/staff/consultations/<int:consultation_id>/offline", methods=["GET", "POST"])
@login_required
@write_limit
def offline_entry(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    if request.method == "GET":
        return _offline_page(consultation, form={})
    form = request.form
    try:
        try:
            channel = Channel(form.get("channel", ""))
        except ValueError as exc:
            raise ServiceError(_("Please choose the channel."), field="channel") from exc
        comment = comments.enter_offline_comment(
            current_user,
            consultation,
            channel=channel,
            body=form.get("body", ""),
            author_label=form.get("author_label", ""),
            article=comments.find_article(consultation, form.get("article")),
            publish_mode=comments.parse_publish_mode(form.get("publish_mode")),
            received_on=_parse_date(form.get("received_on", "")),
            contact=form.get("contact", ""),
            source_ref=form.get("source_ref", ""),
            refile=False,
        )
        db.session.commit()
    except comments.AlreadyEntered as exc:
        db.session.rollback()
        # The same letter typed in again: say so and show the receipt it already has.
        return _offline_page(consultation, exc.status, duplicate=exc.comment)
    except ServiceError as exc:
        db.session.rollback()
        return _offline_page(consultation, exc.status, error=exc.message, error_field=exc.field)
    flash(
        _("Opinion recorded with receipt number %(no)s.", no=comment.receipt_no),
        "success",
    )
    return redirect(url_for(".offline_entry", consultation_id=consultation.id), 303)


@bp.post("/staff/consultations/<int:consultation_id>/offline/purge-contacts")
@login_required
@write_limit
def purge_contacts(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    count = comments.purge_contacts(current_user, consultation)
    db.session.commit()
    flash(_("Contact details erased from %(n)d opinions.", n=count), "success")
    return redirect(url_for(".offline_entry", consultation_id=consultation.id), 303)
