from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import accounts, signin
from ..db import db
from ..errors import ServiceError
from ..ratelimit import (
    account_limit,
    account_login_limit,
    address_limit,
    login_limit,
    write_limit,
)
from .main import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _form_error(template: str, exc: ServiceError, **ctx: Any) -> tuple[str, int]:
    db.session.rollback()
    return render_template(
        template, error=exc.message, error_field=exc.field, form=request.form, **ctx
    ), exc.status


@bp.route("/register", methods=["GET", "POST"])
@write_limit
@address_limit
@account_limit
def register() -> Any:
    if request.method == "GET":
        return render_template("accounts/register.html", form={})
    if request.form.get("consent") != "yes":
        return _form_error(
            "accounts/register.html",
            ServiceError(_("Please read and accept the privacy notice."), field="consent"),
        )
    try:
        accounts.register(
            request.form.get("email", ""),
            request.form.get("password", ""),
            request.form.get("display_name", ""),
            locale=str(request.cookies.get("lang") or "zh"),
        )
        db.session.commit()
    except ServiceError as exc:
        return _form_error("accounts/register.html", exc)
    # The same answer whether the address was new or taken (its owner got a notice):
    # registration must not tell who has an account. Nobody is signed in here.
    flash(
        _(
            "Please check your mailbox: we have sent a link to confirm your address. "
            "Open it, then sign in."
        ),
        "success",
    )
    return redirect(url_for("accounts.login"))


@bp.get("/verify/<token>")
def verify_email(token: str) -> Any:
    accounts.verify_email(token)  # a ServiceError renders a clear 400 page
    db.session.commit()
    flash(_("Thank you, your email address is confirmed."), "success")
    return redirect(
        url_for("accounts.profile") if current_user.is_authenticated else url_for("accounts.login")
    )


@bp.post("/verify/resend")
@login_required
@write_limit
def resend_verification() -> Any:
    if current_user.email_verified_at is None:
        accounts.send_verification(current_user)
        db.session.commit()
    flash(_("We have sent the confirmation email again."), "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/login", methods=["GET", "POST"])
@login_limit
@account_login_limit
def login() -> Any:
    next_url = safe_next(request.values.get("next"), url_for("main.home"))
    if request.method == "GET":
        return render_template("accounts/login.html", form={}, next=next_url)
    try:
        user = accounts.authenticate(
            request.form.get("email", ""), request.form.get("password", "")
        )
        db.session.commit()
    except ServiceError as exc:
        return _form_error("accounts/login.html", exc, next=next_url)
    signin.sign_in(user, remember=request.form.get("remember") == "on")
    db.session.commit()  # the remember token
    return redirect(next_url)


@bp.post("/logout")
def logout() -> Any:
    if current_user.is_authenticated:
        # Everywhere: a copied cookie or another device's session ends as well.
        signin.sign_out(current_user._get_current_object())
        db.session.commit()
    flash(_("You have signed out on all your devices."), "info")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@address_limit
@account_limit
def request_reset() -> Any:
    if request.method == "GET":
        return render_template("accounts/reset_request.html", form={})
    accounts.request_password_reset(request.form.get("email", ""))
    db.session.commit()
    # Same answer whether or not the address is registered.
    flash(
        _("If an account uses this address, we have sent it a link to reset the password."), "info"
    )
    return redirect(url_for("accounts.login"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@login_limit
def reset_password(token: str) -> Any:
    if request.method == "GET":
        return render_template("accounts/reset.html", form={}, token=token)
    try:
        accounts.reset_password(token, request.form.get("password", ""))
        db.session.commit()
    except ServiceError as exc:
        return _form_error("accounts/reset.html", exc, token=token)
    flash(_("Your password has been changed. Please sign in."), "success")
    return redirect(url_for("accounts.login"))


@bp.get("/")
@login_required
def profile() -> str:
    return render_template(
        "accounts/profile.html", data=accounts.export_personal_data(current_user)
    )


@bp.post("/name")
@login_required
@write_limit
def change_name() -> Any:
    try:
        accounts.change_display_name(current_user, request.form.get("display_name", ""))
        db.session.commit()
    except ServiceError as exc:
        return _form_error(
            "accounts/profile.html", exc, data=accounts.export_personal_data(current_user)
        )
    flash(_("Your name is changed."), "success")
    return redirect(url_for("accounts.profile"), 303)


@bp.get("/data.json")
@login_required
def export_data() -> Response:
    body = json.dumps(accounts.export_personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-data.json"},
    )


@bp.post("/token")
@login_required
@write_limit
def api_token() -> str:
    token = accounts.issue_api_token(current_user)
    db.session.commit()
    return render_template("accounts/token.html", token=token)


@bp.post("/delete")
@login_required
@write_limit
def delete() -> Any:
    if not accounts.check_password(current_user, request.form.get("password", "")):
        flash(_("The password is not correct; your account was not deleted."), "error")
        return redirect(url_for("accounts.profile")), 303
    user = current_user._get_current_object()
    accounts.delete_account(user)
    signin.sign_out(user)
    db.session.commit()
    flash(
        _(
            "Your account and personal data have been deleted. "
            "Your published opinions remain, without your name."
        ),
        "info",
    )
    return redirect(url_for("main.home"))
