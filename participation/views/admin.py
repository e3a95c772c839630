from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import accounts, announcements, audit
from .. import outbox as outbox_service
from ..db import db
from ..errors import NotFound
from ..models import AuditEntry, Organization, OutboxMail, User
from ..permissions import require_admin
from ..ratelimit import write_limit

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only() -> None:
    require_admin(current_user)


@bp.get("/")
def index() -> str:
    counts = {
        "users": db.session.scalar(sa.select(sa.func.count(User.id))),
        "organizations": db.session.scalar(sa.select(sa.func.count(Organization.id))),
        "mails": db.session.scalar(sa.select(sa.func.count(OutboxMail.id))),
        "audit": db.session.scalar(sa.select(sa.func.count(AuditEntry.id))),
    }
    return render_template("admin/index.html", counts=counts)


@bp.get("/audit")
def audit_log() -> str:
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action := request.args.get("action"):
        query = query.where(AuditEntry.action.startswith(action))
    page = db.paginate(query, per_page=50, max_per_page=200)
    report = audit.verify() if request.args.get("verify") else None
    return render_template("admin/audit.html", page=page, report=report)


@bp.get("/outbox")
def outbox() -> str:
    page_no = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    page, mails = outbox_service.list_page(current_user, page_no)
    db.session.commit()  # the audit entry of this read
    return render_template("admin/outbox.html", page=page, mails=mails)


@bp.get("/outbox/<int:mail_id>")
def outbox_mail(mail_id: int) -> str:
    mail = outbox_service.read(current_user, mail_id)
    db.session.commit()
    return render_template("admin/outbox_mail.html", mail=mail)


@bp.get("/outbox/<int:mail_id>/attachments/<int:index>")
def outbox_attachment(mail_id: int, index: int) -> Response:
    item = outbox_service.attachment(current_user, mail_id, index)
    db.session.commit()
    # Always a download, never rendered in the admin's browser session.
    return send_file(
        io.BytesIO(item.content),
        mimetype=item.mimetype,
        as_attachment=True,
        download_name=item.filename,
        max_age=0,
    )


@bp.get("/organizations")
def organizations() -> str:
    orgs = db.session.scalars(sa.select(Organization).order_by(Organization.name)).all()
    return render_template("admin/organizations.html", orgs=orgs)


@bp.post("/organizations/<int:org_id>/members")
@write_limit
def add_member(org_id: int) -> Any:
    org = db.session.get(Organization, org_id) or abort(404)
    email = accounts.normalise_email(request.form.get("email", ""))
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        raise NotFound(_("No account uses this email address."))
    accounts.add_organizer(current_user, user, org)
    db.session.commit()
    flash(_("%(name)s can now act for %(org)s.", name=user.display_name, org=org.name), "success")
    return redirect(url_for("admin.organizations"))


@bp.route("/announcements", methods=["GET", "POST"])
@write_limit
def announcement() -> Any:
    if request.method == "POST":
        if request.form.get("action") == "withdraw":
            announcements.withdraw(current_user)
        else:
            announcements.publish(current_user, request.form.get("text", ""))
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.announcement"))
    return render_template("admin/announcements.html")
