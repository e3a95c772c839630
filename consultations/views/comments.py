"""Public comment routes: the comment form, the receipt pages, "my comments"."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from participation.db import db
from participation.errors import NotFound, ServiceError
from participation.inputs import int_arg
from participation.ratelimit import write_limit
from participation.registry import registry
from participation.signals import user_data_erase, user_data_export

from ..blueprint import bp
from ..labels import CHANNEL_LABELS, OUTCOME_BADGES, OUTCOME_LABELS
from ..models import Consultation
from ..services import comments, receipt_mail, receipts

PER_PAGE = 20


def register(app: Flask) -> None:
    app.add_template_global(new_idempotency_key)
    app.add_template_global(comments.comment_counts, "comment_counts")
    app.add_template_global(comment_list_context)
    app.add_template_global(comments.public_author, "comment_author")
    app.add_template_global(CHANNEL_LABELS, "channel_labels")
    app.add_template_global(OUTCOME_LABELS, "outcome_labels")
    app.add_template_global(OUTCOME_BADGES, "outcome_badges")
    app.add_template_global(receipt_mail.lookup_url, "receipt_lookup_url")
    app.add_template_global(comments.STATUS_LABELS, "comment_status_labels")
    app.add_template_global(comments.PUBLISH_MODE_LABELS, "publish_mode_labels")
    app.add_template_global(comments.length_limits, "comment_length_limits")
    registry(app).hook("account.data_heading", _data_heading)
    user_data_export.connect(_export, weak=False)
    user_data_erase.connect(_erase, weak=False)


def _export(user: Any, **_kw: Any) -> dict[str, Any]:
    return comments.export_for(user)


def _data_heading(key: str, count: int) -> str | None:
    return ngettext("%(num)d comment", "%(num)d comments", count) if key == "comments" else None


def _erase(user: Any, **_kw: Any) -> None:
    comments.erase_for(user)


def new_idempotency_key() -> str:
    """A fresh key per rendered form: a double click or a resend stores one comment."""
    return uuid.uuid4().hex


def _locale() -> str:
    return str(get_locale() or "zh")


def public_consultation(consultation_id: int) -> Consultation:
    consultation = db.session.get(
        Consultation, consultation_id, options=[joinedload(Consultation.decision)]
    )
    if consultation is None or consultation.decision.confidential:
        raise NotFound(_("No such consultation."))
    return consultation


def comment_list_context(consultation: Consultation) -> dict[str, Any]:
    """Data for _comments_list.html, which the notice page includes with only `consultation`."""
    article_number = request.args.get("carticle", type=int)
    article = None
    if article_number:
        article = next((a for a in consultation.draft.articles if a.number == article_number), None)
    page = db.paginate(
        comments.public_comments(consultation, article.id if article else None),
        page=int_arg("cpage", 1),
        per_page=PER_PAGE,
        error_out=False,
    )
    return {
        "page": page,
        "article": article,
        "counts": comments.comment_counts(consultation),
        "locale": _locale(),
    }


# ---- submitting ------------------------------------------------------------------------


def _form_page(consultation: Consultation, status: int = 200, **ctx: Any) -> tuple[str, int]:
    article_number = request.values.get("article", type=int)
    article = next((a for a in consultation.draft.articles if a.number == article_number), None)
    ctx.setdefault("form", request.form)
    return render_template(
        "consultations/comment_new.html",
        consultation=consultation,
        article=article,
        **ctx,
    ), status


@bp.route("/consultations/<int:consultation_id>/comment", methods=["GET", "POST"])
@login_required
@write_limit
def new_comment(consultation_id: int) -> Any:
    consultation = public_consultation(consultation_id)
    if request.method == "GET":
        return _form_page(consultation, 200 if consultation.is_open() else 410)
    try:
        submission = comments.submit_comment(
            current_user,
            consultation,
            body=request.form.get("body"),
            article_number=request.form.get("article"),
            publish_mode=request.form.get("publish_mode"),
            as_organization_id=request.form.get("as_organization_id"),
            idempotency_key=request.form.get("idempotency_key"),
            stored_at_once=True,  # the comment is this request's only write
        )
        receipt_no = submission.receipt.receipt_no
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _form_page(consultation, exc.status, error=exc.message, error_field=exc.field)
    if submission.created:
        flash(_("Thank you. Your opinion has been received."), "success")
    else:
        flash(_("This opinion had already been received; it was not saved twice."), "info")
    return redirect(url_for("consultations.comment_received", receipt_no=receipt_no), 303)


@bp.get("/account/comments/<receipt_no>")
@login_required
def comment_received(receipt_no: str) -> str:
    comment = comments.get_own_comment(current_user, receipt_no)
    return render_template(
        "consultations/comment_received.html",
        comment=comment,
        receipt=receipts.receipt_view(comment, _locale()),
    )


@bp.get("/account/comments")
@login_required
def my_comments() -> str:
    page = db.paginate(
        comments.my_comments(current_user),
        page=int_arg("page", 1),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "consultations/my_comments.html",
        page=page,
        published_response=receipts.published_response,
    )


# ---- the public receipt check ----------------------------------------------------------


@bp.get("/receipts/")
def receipt_lookup() -> Any:
    raw = request.args.get("no", "").strip()
    if not raw:
        return render_template("consultations/receipt_lookup.html", form={})
    number = receipts.normalise(raw)
    if number is None:
        try:
            receipts.find_by_receipt(raw)  # raises the clear "not a valid number" error
        except ServiceError as exc:
            return _lookup_error(raw, exc)
    return redirect(url_for("consultations.receipt", receipt_no=number))


def _lookup_error(raw: str, exc: ServiceError) -> tuple[str, int]:
    return render_template(
        "consultations/receipt_lookup.html",
        form={"no": raw},
        error=exc.message,
        error_field=exc.field,
    ), exc.status


@bp.get("/receipts/<receipt_no>")
def receipt(receipt_no: str) -> Any:
    canonical = receipts.normalise(receipt_no)
    if canonical is not None and canonical != receipt_no:
        return redirect(url_for("consultations.receipt", receipt_no=canonical), 301)
    try:
        comment = receipts.find_by_receipt(receipt_no)
    except ServiceError as exc:
        return _lookup_error(receipt_no, exc)
    view = receipts.receipt_view(comment, _locale())
    return render_template("consultations/receipt.html", receipt=view, comment=comment)
