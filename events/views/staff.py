"""Organizer pages: create and change events, run the selection, record, export."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations.models import Decision
from participation.db import db
from participation.errors import ServiceError
from participation.inputs import int_arg
from participation.permissions import require_organizer
from participation.ratelimit import write_limit

from .. import queries
from ..blueprint import bp
from ..models import Application, Event, EventKind, RecordEntry
from ..services import checkin, evaluations, exports, manage, record, selection
from ..services.permissions import require_event_organizer
from ..services.seats import held_by_category
from .forms import CATEGORY_ROWS, default_form, event_data, form_of


def _staff_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    require_event_organizer(current_user, event)
    return event


def _decisions() -> list[Decision]:
    query = sa.select(Decision).where(
        Decision.confidential.is_(False), Decision.withdrawn.is_(False)
    )
    if not current_user.is_admin:
        query = query.where(Decision.organization_id.in_(current_user.organization_ids or {-1}))
    return list(db.session.scalars(query.order_by(Decision.id.desc()).limit(200)))


def _organizations() -> list[Any]:
    return sorted((m.organization for m in current_user.memberships), key=lambda o: o.id)


@bp.get("/events/manage")
@login_required
def manage_list() -> str:
    page = db.paginate(queries.staff_events(current_user), per_page=25)
    return render_template("events/manage_list.html", page=page, kinds=list(EventKind))


def _form_page(event: Event | None, form: Any, exc: ServiceError | None = None) -> Any:
    if exc is not None:
        db.session.rollback()
    return render_template(
        "events/form.html",
        event=event,
        form=form,
        rows=range(CATEGORY_ROWS),
        kinds=list(EventKind),
        decisions=_decisions(),
        organizations=_organizations(),
        error=exc.message if exc else None,
        error_field=exc.field if exc else None,
    ), (exc.status if exc else 200)


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
@write_limit
def create() -> Any:
    if not current_user.is_staff:
        abort(403)
    if request.method == "GET":
        kind = request.args.get("kind", "hearing")
        return _form_page(
            None,
            default_form(EventKind(kind) if kind in EventKind.__members__ else EventKind.hearing),
        )
    try:
        org_id = int_arg("organization_id", 0, low=0, source=request.form)
        require_organizer(current_user, org_id)
        event = manage.create_event(current_user, event_data(request.form, org_id))
        db.session.commit()
    except ServiceError as exc:
        return _form_page(None, request.form, exc)
    flash(_("The event is saved as a draft. Publish it when it is ready."), "success")
    return redirect(url_for("events.manage_event", event_id=event.id), 303)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
@write_limit
def edit(event_id: int) -> Any:
    event = _staff_event(event_id)
    if request.method == "GET":
        return _form_page(event, form_of(event))
    try:
        manage.update_event(
            current_user,
            event,
            event_data(request.form, event.organization_id),
            request.form.get("reason", ""),
        )
        db.session.commit()
    except ServiceError as exc:
        return _form_page(event, request.form, exc)
    flash(_("The event is updated."), "success")
    return redirect(url_for("events.manage_event", event_id=event.id), 303)


def _manage_page(event: Event, exc: ServiceError | None = None) -> Any:
    status = request.args.get("status", "")
    page = db.paginate(queries.event_applications(event, status), per_page=50)
    return render_template(
        "events/manage.html",
        event=event,
        page=page,
        status=status,
        counts=queries.status_counts(event),
        held=held_by_category(event.id),
        draw=selection.draw_of(event),
        attendance=checkin.attendance(event),
        record=queries.record_with_comments(event),
        confirmed=queries.participants(event),
        evaluation=evaluations.summary(event),
        consultation=record.target_consultation(event),
        error=exc.message if exc else None,
        error_field=exc.field if exc else None,
        form=request.form,
    ), (exc.status if exc else 200)


@bp.get("/events/<int:event_id>/manage")
@login_required
def manage_event(event_id: int) -> Any:
    return _manage_page(_staff_event(event_id))


def _staff_action(event_id: int, fn: Any, message: str) -> Any:
    event = _staff_event(event_id)
    try:
        result = fn(event)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return _manage_page(db.session.get(Event, event_id), exc)
    flash(message if not callable(message) else message(result), "success")
    return redirect(url_for("events.manage_event", event_id=event_id), 303)


@bp.post("/events/<int:event_id>/publish")
@login_required
@write_limit
def publish(event_id: int) -> Any:
    return _staff_action(
        event_id, lambda e: manage.publish_event(current_user, e), _("The event is published.")
    )


@bp.post("/events/<int:event_id>/cancel")
@login_required
@write_limit
def cancel(event_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: manage.cancel_event(current_user, e, request.form.get("reason", "")),
        _("The event is cancelled; everyone affected is told."),
    )


@bp.post("/events/<int:event_id>/materials")
@login_required
@write_limit
def add_material(event_id: int) -> Any:
    f = request.form
    return _staff_action(
        event_id,
        lambda e: manage.add_material(
            current_user, e, f.get("title", ""), f.get("url", ""), f.get("body", "")
        ),
        _("The material is added."),
    )


@bp.post("/events/<int:event_id>/moderators")
@login_required
@write_limit
def add_moderator(event_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: manage.add_moderator(current_user, e, request.form.get("email", "")),
        _("The moderator is added."),
    )


@bp.post("/events/<int:event_id>/materials/<int:material_id>/delete")
@login_required
@write_limit
def remove_material(event_id: int, material_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: manage.remove_material(
            current_user, e, material_id, request.form.get("reason", "")
        ),
        _("The material is removed."),
    )


@bp.post("/events/<int:event_id>/moderators/<int:moderator_id>/delete")
@login_required
@write_limit
def remove_moderator(event_id: int, moderator_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: manage.remove_moderator(current_user, e, moderator_id),
        _("The moderator is removed."),
    )


@bp.post("/events/<int:event_id>/participants/publish")
@login_required
@write_limit
def publish_participants(event_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: manage.publish_participants(current_user, e),
        _("The participant list is published."),
    )


@bp.post("/events/<int:event_id>/outcome")
@login_required
@write_limit
def publish_outcome(event_id: int) -> Any:
    f = request.form
    return _staff_action(
        event_id,
        lambda e: manage.publish_outcome(
            current_user, e, f.get("outcome", ""), f.get("opinions_handling", "")
        ),
        _("The outcome is published."),
    )


@bp.post("/events/<int:event_id>/selection/start")
@login_required
@write_limit
def start_selection(event_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: selection.start_selection(current_user, e),
        lambda draw: (
            _("The seed hash and the applicant list are published.")
            if draw
            else _("Every category fits its quota: all applicants are confirmed.")
        ),
    )


@bp.post("/events/<int:event_id>/selection/draw")
@login_required
@write_limit
def run_draw(event_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: selection.run_draw(current_user, e),
        _("The draw is done and published; everyone is told the result."),
    )


@bp.post("/events/applications/<int:application_id>/reject")
@login_required
@write_limit
def reject(application_id: int) -> Any:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return _staff_action(
        application.event_id,
        lambda e: manage.reject_application(
            current_user, application, request.form.get("reason", "")
        ),
        _("The application is refused; the applicant is told why."),
    )


@bp.post("/events/<int:event_id>/record")
@login_required
@write_limit
def add_record_entry(event_id: int) -> Any:
    f = request.form
    application_id = f.get("application_id", "")
    return _staff_action(
        event_id,
        lambda e: record.add_entry(
            current_user,
            e,
            body=f.get("body", ""),
            application_id=int(application_id) if application_id.isdigit() else None,
            speaker=f.get("speaker", ""),
        ),
        _("The statement is recorded; the participant is asked to confirm it."),
    )


@bp.post("/events/record/<int:entry_id>/edit")
@login_required
@write_limit
def edit_record_entry(entry_id: int) -> Any:
    entry = db.session.get(RecordEntry, entry_id)
    if entry is None:
        abort(404)
    f = request.form
    return _staff_action(
        entry.event_id,
        lambda e: record.edit_entry(current_user, entry, f.get("body", ""), f.get("reason", "")),
        _("The record is corrected; the participant is asked to confirm it again."),
    )


@bp.post("/events/<int:event_id>/record/file")
@login_required
@write_limit
def file_record(event_id: int) -> Any:
    return _staff_action(
        event_id,
        lambda e: record.file_entries(current_user, e),
        lambda result: (
            result[1] or _("%(n)d statements are filed as comments on the decision.", n=result[0])
        ),
    )


@bp.get("/events/<int:event_id>/export/<kind>.<fmt>")
@login_required
def export(event_id: int, kind: str, fmt: str) -> Response:
    event = _staff_event(event_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, body = exports.rows(current_user, event, kind)
    name = f"event-{event.id}-{kind}.{fmt}"
    if fmt == "csv":
        data, mimetype = exports.to_csv(header, body), "text/csv; charset=utf-8"
    else:
        data = exports.to_xlsx(header, body, kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
