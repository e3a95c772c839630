"""Sign-in sessions that can be ended: a session generation per person, and
"stay signed in" tokens that are random, stored hashed, replaced on use and expiring.

The session cookie is signed, not stored, so it cannot be deleted on the server. It
carries the person's ``session_generation``; the user loader compares it with the
database row it loads anyway, on every request and in every process, so raising the
generation (sign-out, password reset, account deletion) ends every session at once.

Flask-Login's own remember cookie is ``<id>|HMAC(id)``: the same on every sign-in and
valid for ever. It is never set; ``REMEMBER_COOKIE`` below replaces it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import login_user, logout_user, user_logged_in, user_logged_out

from .db import db, utcnow
from .models import RememberToken, User

SESSION_KEY = "_auth"  # "<user id>:<session generation>"
REMEMBER_COOKIE = "canyu_remember"
LEGACY_REMEMBER_COOKIE = "remember_token"  # Flask-Login's, set by earlier versions


def _stamp(user: User) -> str:
    return f"{user.id}:{user.session_generation}"


def session_is_current(user: User) -> bool:
    return session.get(SESSION_KEY) == _stamp(user)


def sign_in(user: User, remember: bool = False) -> None:
    login_user(user)  # never Flask-Login's remember cookie
    if remember:
        g.remember_token = _issue(user, utcnow() + _lifetime())


def sign_out(user: User) -> None:
    """Sign out here and everywhere else; the caller commits."""
    end_all_sessions(user)
    logout_user()


def end_all_sessions(user: User) -> None:
    """Every session and remember token of this person stops working (log out everywhere)."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.execute(sa.delete(RememberToken).where(RememberToken.user_id == user.id))
    if has_request_context() and session.get(SESSION_KEY, "").startswith(f"{user.id}:"):
        g.remember_token = ""  # this browser's cookie goes too


def _lifetime() -> timedelta:
    return timedelta(days=current_app.config["REMEMBER_DAYS"])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(user: User, expires_at: Any) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(RememberToken(user_id=user.id, token_hash=_hash(token), expires_at=expires_at))
    return token


def resume(token: str) -> User | None:
    """The person a remember cookie stands for, signed in again with a new token.

    The new token keeps the old one's expiry: a remembered sign-in lasts REMEMBER_DAYS
    from the password, however often it is used."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        sa.select(RememberToken).where(RememberToken.token_hash == _hash(token))
    )
    now = utcnow()
    if row is None or row.expires_at <= now:
        return None
    grace = timedelta(seconds=current_app.config["REMEMBER_ROTATION_GRACE_SECONDS"])
    if row.rotated_at is not None and now - row.rotated_at > grace:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if row.rotated_at is None and not (db.session.new or db.session.dirty or db.session.deleted):
        # Replaced in its own commit: nothing of the request is pending this early.
        row.rotated_at = now
        db.session.execute(
            sa.delete(RememberToken).where(
                RememberToken.user_id == user.id,
                sa.or_(RememberToken.expires_at <= now, RememberToken.rotated_at < now - grace),
            )
        )
        g.remember_token = _issue(user, row.expires_at)
        db.session.commit()
    login_user(user, fresh=False)  # restored, not typed: "fresh" pages ask again
    return user


def _on_login(sender: Any, user: User, **extra: Any) -> None:
    session[SESSION_KEY] = _stamp(user)


def _on_logout(sender: Any, user: Any, **extra: Any) -> None:
    session.pop(SESSION_KEY, None)
    g.remember_token = ""


def _write_cookie(resp: Any) -> Any:
    token = g.pop("remember_token", None)
    config = current_app.config
    if token:
        resp.set_cookie(
            REMEMBER_COOKIE,
            token,
            max_age=int(_lifetime().total_seconds()),
            secure=config["REMEMBER_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    elif token == "":
        resp.delete_cookie(REMEMBER_COOKIE)
    if LEGACY_REMEMBER_COOKIE in request.cookies:
        resp.delete_cookie(LEGACY_REMEMBER_COOKIE)
    return resp


def init_app(app: Flask) -> None:
    user_logged_in.connect(_on_login, app)
    user_logged_out.connect(_on_logout, app)
    app.after_request(_write_cookie)
