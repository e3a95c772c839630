"""The applicant's pages: apply, see and withdraw the application, answer an offer,
confirm the record, evaluate the event."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.db import db
from participation.errors import ServiceError
from participation.ratelimit import write_limit

from .. import qr, queries
from ..blueprint import bp
from ..links import checkin_url
from ..models import ApplicationStatus, Evaluation, RecordEntry
from ..services import applications, evaluations, record
from ..services.selection import draw_of, pseudonym_of
from .public import visible_event


def _apply_form(event: Any, form: Any, exc: ServiceError | None = None, again: bool = False) -> Any:
    if exc is not None:
        db.session.rollback()
    return render_template(
        "events/apply.html",
        event=event,
        form=form,
        again=again,
        error=exc.message if exc else None,
        error_field=exc.field if exc else None,
    ), (exc.status if exc else 200)


def _prefill(previous: Any) -> dict[str, str]:
    """Applying again: start from what the withdrawn application said."""
    if previous is None:
        return {"full_name": current_user.display_name}
    return {
        "category": previous.category_key,
        "full_name": previous.full_name,
        "affiliation": previous.affiliation,
        "statement": previous.statement,
        "phone": previous.phone,
    }


@bp.route("/events/<int:event_id>/apply", methods=["GET", "POST"])
@login_required
@write_limit
def apply(event_id: int) -> Any:
    event = visible_event(event_id)
    previous = applications.application_of(current_user, event)
    again = previous is not None
    if previous is not None:
        if previous.status != ApplicationStatus.withdrawn:
            return redirect(url_for("events.my_application", event_id=event.id))
        reason = applications.why_not_again(event)
        if reason:
            flash(reason, "info")
            return redirect(url_for("events.my_application", event_id=event.id))
    if request.method == "GET":
        return _apply_form(event, _prefill(previous), again=again)
    try:
        applications.apply(current_user, event, request.form.to_dict())
        db.session.commit()
    except ServiceError as exc:
        return _apply_form(event, request.form, exc, again=again)
    flash(_("Thank you, your application is received."), "success")
    return redirect(url_for("events.my_application", event_id=event.id), 303)


def _mine_page(event: Any, exc: ServiceError | None = None) -> Any:
    application = applications.application_of(current_user, event)
    if application is None:
        return redirect(url_for("events.event_detail", event_id=event.id))
    entries = [
        (entry, comment)
        for entry, comment in queries.record_with_comments(event)
        if entry.application_id == application.id
    ]
    evaluated = db.session.query(Evaluation.id).filter_by(application_id=application.id).first()
    confirmed = application.status.value == "confirmed"
    withdrawn = application.status == ApplicationStatus.withdrawn
    return render_template(
        "events/mine.html",
        event=event,
        application=application,
        why_not_again=applications.why_not_again(event) if withdrawn else None,
        pseudonym=pseudonym_of(application) if draw_of(event) else None,
        qr_svg=qr.svg(checkin_url(event.id, application.checkin_code), application.checkin_code)
        if confirmed
        else None,
        entries=entries,
        response_of=queries.published_response,
        evaluated=evaluated is not None,
        form=request.form,
        error=exc.message if exc else None,
        error_field=exc.field if exc else None,
    ), (exc.status if exc else 200)


@bp.get("/events/<int:event_id>/mine")
@login_required
def my_application(event_id: int) -> Any:
    return _mine_page(visible_event(event_id))


@bp.get("/events/mine")
@login_required
def my_applications() -> str:
    return render_template("events/my_list.html", items=queries.my_applications(current_user))


def _act(event_id: int, fn: Any, message: str, *args: Any) -> Any:
    try:
        fn(current_user, *args)
        db.session.commit()
        flash(message, "success")
    except ServiceError as exc:
        db.session.rollback()
        if not event_id or exc.status in (403, 404):
            raise  # not theirs: the error page, not someone else's application
        return _mine_page(visible_event(event_id), exc)
    return redirect(url_for("events.my_application", event_id=event_id), 303)


def _own_event_id(application_id: int) -> int:
    from ..models import Application

    application = db.session.get(Application, application_id)
    return application.event_id if application else 0


@bp.route("/events/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
@write_limit
def withdraw(application_id: int) -> Any:
    """Withdrawing is a two-step form: the page says what follows, the second POST
    (with confirm=yes) withdraws. Works without JavaScript."""
    application = applications.own_application(current_user, application_id)
    if not application.is_active:
        flash(_("This application is no longer active."), "info")
        return redirect(url_for("events.my_application", event_id=application.event_id))
    if request.form.get("confirm") != "yes":
        event = visible_event(application.event_id)
        return render_template("events/withdraw.html", event=event, application=application)
    return _act(
        _own_event_id(application_id),
        applications.withdraw,
        _("Your application is withdrawn."),
        application_id,
    )


@bp.post("/events/applications/<int:application_id>/accept")
@login_required
@write_limit
def accept_offer(application_id: int) -> Any:
    return _act(
        _own_event_id(application_id),
        applications.accept_offer,
        _("Your seat is confirmed."),
        application_id,
    )


@bp.post("/events/applications/<int:application_id>/decline")
@login_required
@write_limit
def decline_offer(application_id: int) -> Any:
    return _act(
        _own_event_id(application_id),
        applications.decline_offer,
        _("You declined the seat; it goes to the next person on the waitlist."),
        application_id,
    )


@bp.post("/events/applications/<int:application_id>/evaluation")
@login_required
@write_limit
def evaluate(application_id: int) -> Any:
    return _act(
        _own_event_id(application_id),
        lambda user, aid: evaluations.submit(user, aid, request.form.to_dict()),
        _("Thank you for your evaluation."),
        application_id,
    )


def _entry_event_id(entry_id: int) -> int:
    entry = db.session.get(RecordEntry, entry_id)
    return entry.event_id if entry else 0


@bp.post("/events/record/<int:entry_id>/confirm")
@login_required
@write_limit
def confirm_entry(entry_id: int) -> Any:
    return _act(
        _entry_event_id(entry_id),
        record.confirm_entry,
        _("Thank you, you have confirmed your part of the record."),
        entry_id,
    )


@bp.post("/events/record/<int:entry_id>/correction")
@login_required
@write_limit
def request_correction(entry_id: int) -> Any:
    return _act(
        _entry_event_id(entry_id),
        lambda user, eid: record.request_correction(user, eid, request.form.get("correction", "")),
        _("Your correction request is sent to the organizer."),
        entry_id,
    )
