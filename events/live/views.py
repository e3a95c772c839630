"""Routes only: parse the request, call a service or a query, commit, render."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.models import Event
from events.services.permissions import require_event_moderator
from participation.db import db
from participation.errors import ServiceError
from participation.inputs import int_arg
from participation.models import Organization
from participation.ratelimit import write_limit
from participation.views.accounts import _form_error

from . import queries
from .models import AnswerMode, Question, QuestionStatus
from .services import control, counting, moderation
from .services.access import get_session, is_moderator, require_moderator

bp = Blueprint("live", __name__, template_folder="templates")


@bp.app_template_filter("live_hms")
def live_hms(seconds: int) -> str:
    """A stream offset as h:mm:ss."""
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _user() -> Any:
    return current_user if current_user.is_authenticated else None


def _strings() -> dict[str, str]:
    """Labels the scripts show, translated here (the scripts have no catalogue)."""
    return {
        "anonymous": _("Anonymous"),
        "votes": _("votes"),
        "vote": _("Upvote"),
        "unvote": _("Withdraw vote"),
        "on_screen": _("On screen now"),
        "answered": _("Answered"),
        "answered_by": _("Answer from"),
        "written_pending": _("Written answer due by"),
        "written_answered": _("Answered in writing"),
        "edited": _("edited by a moderator"),
        "state_scheduled": _("Scheduled"),
        "state_live": _("Live"),
        "state_paused": _("Paused"),
        "state_ended": _("Ended"),
        "qa_open": _("Questions open"),
        "qa_paused": _("Questions paused"),
        "qa_closed": _("Questions closed"),
        "viewers": _("watching"),
        "no_questions": _("No questions yet. Be the first to ask."),
        "nothing_on_screen": _("No question is on screen."),
        "sent_pending": _("Thank you. Your question will appear once a moderator approves it."),
        "sent_approved": _("Thank you. Your question is published."),
        "mine_pending": _("waiting for review"),
        "mine_approved": _("published"),
        "mine_rejected": _("not published"),
        "mine_merged": _("merged with a similar question"),
        "reason": _("Reason"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "connected": _("Live updates on"),
        "stream_error": _(
            "The video cannot be played here right now. The questions and answers below "
            "still update live."
        ),
        "approve": _("Approve"),
        "reject": _("Reject"),
        "edit": _("Fix typo"),
        "merge": _("Merge into…"),
        "screen": _("Put on screen"),
        "unscreen": _("Take off screen"),
        "answer": _("Mark answered"),
        "assign": _("Assign for written answer"),
        "ban": _("Ban from this session"),
        "unban": _("Lift ban"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "reason_prompt": _("Private reason (moderators and the asker only)"),
        "answer_text": _("Answer given"),
        "official": _("Answering official"),
        "department": _("Department"),
        "due_on": _("Due date (empty: 5 working days)"),
        "into": _("Merge into question"),
        "original": _("Original"),
        "flagged": _("Flagged words"),
        "status_pending": _("Waiting"),
        "status_approved": _("Published"),
        "status_rejected": _("Rejected"),
        "status_merged": _("Merged"),
        "by": _("by"),
        "sort_votes": _("Most votes"),
        "sort_time": _("Newest"),
        "offset": _("at"),
    }


@bp.get("/live/")
def index() -> str:
    page = queries.sessions_page(int_arg("page", 1))
    return render_template(
        "live/index.html", page=page, can_announce=queries.events_user_moderates(_user())
    )


@bp.get("/live/<int:session_id>")
def viewer(session_id: int) -> Any:
    session = get_session(session_id, _user())
    event = db.session.get(Event, session.event_id)
    response = make_response(
        render_template(
            "live/viewer.html",
            session=session,
            event=event,
            strings=_strings(),
            moderator=is_moderator(_user(), session),
        )
    )
    if _user() is None and not request.cookies.get(counting.VIEWER_COOKIE):
        # This browser counts as one viewer however many sockets it opens (counting.py).
        response.set_cookie(
            counting.VIEWER_COOKIE,
            counting.new_viewer_token(),
            max_age=86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@bp.get("/live/<int:session_id>/presenter")
def presenter(session_id: int) -> str:
    session = get_session(session_id, _user())
    return render_template("live/presenter.html", session=session, strings=_strings())


@bp.get("/live/<int:session_id>/console")
@login_required
def console(session_id: int) -> str:
    session = get_session(session_id, _user())
    require_moderator(_user(), session)
    departments = db.session.scalars(
        sa.select(Organization).where(Organization.is_agency.is_(True)).order_by(Organization.id)
    ).all()
    return render_template(
        "live/console.html",
        session=session,
        event=db.session.get(Event, session.event_id),
        strings=_strings(),
        departments=[
            {"id": d.id, "name": d.display_name(str(get_locale() or "zh"))} for d in departments
        ],
    )


@bp.get("/live/<int:session_id>/record")
def record(session_id: int) -> str:
    session = get_session(session_id, _user())
    return render_template(
        "live/record.html",
        session=session,
        event=db.session.get(Event, session.event_id),
        record=queries.record(session),
    )


@bp.get("/live/<int:session_id>/record.json")
def record_json(session_id: int) -> Response:
    session = get_session(session_id, _user())
    return jsonify(queries.record(session))


CSV_FIELDS = [
    "id",
    "asked_at",
    "author",
    "question",
    "votes",
    "offset_seconds",
    "replay_link",
    "answer_mode",
    "answered_by",
    "answered_at",
    "answer",
    "department",
    "due_on",
]


@bp.get("/live/<int:session_id>/record.csv")
def record_csv(session_id: int) -> Response:
    session = get_session(session_id, _user())
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 Chinese text correctly with a BOM
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for q in queries.record(session)["questions"]:
        dept = q["department"]
        row = [
            q["id"],
            q["asked_at"],
            q["author"] or "",
            q["body"],
            q["votes"],
            q["offset"] if q["offset"] is not None else "",
            q["replay_link"] or "",
            q["answer_mode"] or "",
            q["answered_by"] or "",
            q["answered_at"] or "",
            q["answer"] or "",
            dept["name"] if dept else "",
            q["due_on"] or "",
        ]
        # Spreadsheets run cells starting with = + - @ as formulas.
        writer.writerow([f"'{c}" if str(c)[:1] in "=+-@" else c for c in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=live-{session.id}-record.csv"},
    )


@bp.get("/live/<int:session_id>/followups")
@login_required
def followups(session_id: int) -> str:
    session = get_session(session_id, _user())
    items = [q for q in _awaiting(session.id) if moderation.can_write_answer(_user(), q)]
    if not items and not is_moderator(_user(), session):
        abort(403)
    return render_template(
        "live/followups.html", session=session, items=items, form={}, error=None, error_field=None
    )


@bp.post("/live/questions/<int:question_id>/written-answer")
@login_required
@write_limit
def written_answer(question_id: int) -> Any:
    q = db.session.get(Question, question_id)
    if q is None:
        abort(404)
    session_id = q.session_id
    try:
        moderation.publish_written_answer(
            _user(), question_id, request.form.get("answer", ""), request.form.get("official", "")
        )
        db.session.commit()
    except ServiceError as exc:
        session = get_session(session_id, _user())
        items = [x for x in _awaiting(session_id) if moderation.can_write_answer(_user(), x)]
        return _form_error(
            "live/followups.html", exc, session=session, items=items, failed_id=question_id
        )
    flash(_("The written answer is published; the asker has been told."), "success")
    return redirect(url_for("live.followups", session_id=session_id))


@bp.route("/live/new", methods=["GET", "POST"])
@login_required
@write_limit
def create() -> Any:
    """Organizers and moderators of an event announce its livestreamed Q&A."""
    event = db.session.get(Event, int_arg("event_id", 0, source=request.values))
    if event is None:
        abort(404)
    require_event_moderator(_user(), event)
    if request.method == "GET":
        return render_template("live/new.html", event=event, form={}, error=None, error_field=None)
    form = request.form
    try:
        scheduled = parse_local_datetime(form.get("scheduled_at", ""))
        if scheduled is None:
            raise ServiceError(_("Please give the date and time."), field="scheduled_at")
        session = control.create_session(
            _user(),
            event.id,
            title=form.get("title", ""),
            scheduled_at=scheduled,
            stream_url=form.get("stream_url", ""),
            stream_kind=form.get("stream_kind", "hls"),
            replay_url=form.get("replay_url", ""),
            description=form.get("description", ""),
            premoderation=form.get("premoderation") == "on",
        )
        db.session.commit()
    except ServiceError as exc:
        return _form_error("live/new.html", exc, event=event)
    flash(_("The live session is announced."), "success")
    return redirect(url_for("live.console", session_id=session.id))


def parse_local_datetime(value: str) -> datetime | None:
    """A datetime-local form value, entered in Beijing time, as aware UTC."""
    try:
        local = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def _awaiting(session_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(
                Question.session_id == session_id,
                Question.status == QuestionStatus.approved,
                Question.answer_mode == AnswerMode.written,
            )
            .order_by(Question.due_on, Question.id)
        )
    )
