"""Binding extensions, i18n, errors and security headers to the application."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, jsonify, render_template, request
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import inputs
from .config import ROOT
from .db import db
from .errors import ServiceError, Unauthenticated
from .extensions import babel, csrf, init_celery, limiter, login_manager, migrate, socketio
from .proxies import TrustedProxies
from .public_url import is_production
from .ratelimit import too_many_message
from .registry import registry
from .sessions import CookieSessionInterface

LANG_COOKIE = "lang"
PRIVATE_PREFIXES = ("/account", "/admin", "/staff")
PREFS_COOKIE = "a11y"


def _translation_dirs(app: Flask) -> str:
    dirs = [Path(__file__).parent / "translations"]
    dirs += [ROOT / name.replace(".", "/") / "translations" for name in app.config["FEATURES"]]
    return ";".join(str(d) for d in dirs if d.exists())


def select_locale() -> str:
    langs = ("zh", "en")
    if not has_request_context():
        return "zh"  # tasks and the CLI use force_locale for a recipient's language
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in langs:
        return chosen
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False) and current_user.locale in langs:
        return current_user.locale
    return "zh"


def origin_check(allowed: list[str]) -> Any:
    """Socket.IO accepts its own origin and the configured ones, nothing else."""
    explicit = {o.rstrip("/") for o in allowed}

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        if not origin:
            return True  # non-browser clients send none; authentication still applies
        # As participation.proxies left them: forwarded headers only from our own proxies.
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST", "")
        return origin.rstrip("/") in explicit or origin == f"{scheme}://{host}"

    return check


def init_extensions(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
    inputs.init_app(app)  # first: the bounded `int` converter must exist before any route
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = _translation_dirs(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE")
        or os.environ.get("SOCKETIO_ASYNC_MODE", "gevent"),
        message_queue=app.config["REDIS_URL"] or None,
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=origin_check(app.config["ALLOWED_ORIGINS"]),
        manage_session=False,
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        logger=False,
        engineio_logger=False,
    )
    init_celery(app)
    _init_login(app)
    if app.config["TRUSTED_PROXIES"]:
        # Outermost, so Socket.IO and every view see the real client address.
        app.wsgi_app = TrustedProxies(app.wsgi_app, app.config["TRUSTED_PROXIES"])


def _init_login(app: Flask) -> None:
    from . import signin
    from .accounts import user_for_api_token
    from .models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the login page says it itself
    login_manager.session_protection = "strong"

    @app.teardown_request
    def _forget_request_state(exc: BaseException | None) -> None:
        # g outlives a request when an outer app context is pushed (CLI, tests):
        # never let one request's identity or language leak into the next.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        refresh()

    signin.init_app(app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # The row is read on every request anyway; its session generation ends copied
        # cookies after sign-out or a password reset, on every process at once.
        user = db.session.get(User, int(user_id))
        return user if user and user.is_active and signin.session_is_current(user) else None

    @login_manager.request_loader
    def load_from_token(req: Any) -> User | None:
        header = req.headers.get("Authorization", "")
        if header.startswith("Bearer ") and req.path.startswith("/api/"):
            user = user_for_api_token(header[7:].strip())
            if user is not None:
                g.api_token_auth = True
            return user
        if remember := req.cookies.get(signin.REMEMBER_COOKIE):
            return signin.resume(remember)
        return None


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _error(status: int, message: str, field: str | None = None) -> Any:
    if wants_json():
        body = {"error": message, "status": status}
        if field:
            body["field"] = field
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError) -> Any:
        db.session.rollback()  # nothing half-written
        resp, status = _error(exc.status, exc.message, exc.field)
        if isinstance(exc, Unauthenticated):
            challenge = 'Bearer realm="api"'
            if exc.invalid_token:
                challenge += ', error="invalid_token"'
            resp = app.make_response(resp)
            resp.headers["WWW-Authenticate"] = challenge
        return resp, status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        return _error(
            400,
            _(
                "The form has expired or was not sent from this site. "
                "Please go back, reload the page and try again."
            ),
        )

    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You do not have permission to see this page."),
        404: lambda: _("The page you are looking for does not exist."),
        405: lambda: _("This action is not allowed here."),
        413: lambda: _(
            "What you sent is too large: at most %(mb)d MB.",
            mb=(app.config["MAX_CONTENT_LENGTH"] or 0) // (1024 * 1024),
        ),
        429: lambda: _("Too many requests. Please wait a moment and try again."),
        500: lambda: _("Something went wrong on our side. Please try again later."),
    }

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        code = exc.code or 500
        if code == 429:
            # Says how long to wait (Flask-Limiter adds the Retry-After header).
            return _error(code, too_many_message())
        return _error(code, messages.get(code, lambda: exc.description or "")())

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error")
        db.session.rollback()
        return _error(500, messages[500]())

    from . import outages

    outages.register(app)  # the database out of reach: 503 with Retry-After, not 500


def _security_headers(app: Flask) -> None:
    @app.after_request
    def headers(resp: Any) -> Any:
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; media-src 'self' https: blob:; "
            "connect-src 'self' ws: wss: https:; frame-src https:; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
        )
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        # Nothing personal or internal stays in a browser or proxy cache (a shared
        # computer's back button): account, data export, staff and admin pages, and any
        # response produced for a signed-in person (its user was loaded: g._login_user).
        # is_anonymous, not is_authenticated: that one reads columns a commit expired.
        user = g.get("_login_user")
        if request.path.startswith(PRIVATE_PREFIXES) or not getattr(user, "is_anonymous", True):
            resp.headers["Cache-Control"] = "no-store"
        if is_production(app.config) and app.config["HSTS_SECONDS"]:
            # Browsers then never try plain http for this host (the proxy terminates TLS).
            resp.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}"
            )
        lang = request.args.get("lang")
        if lang in ("zh", "en"):
            resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
        return resp


def _template_context(app: Flask) -> None:
    from . import formatting

    formatting.register(app)

    @app.context_processor
    def inject() -> dict[str, Any]:
        locale = str(get_locale() or "zh")
        cookie = request.cookies.get(PREFS_COOKIE) if has_request_context() else None
        prefs = set((cookie or "").split(","))
        return {
            "locale": locale,
            "html_lang": "zh-CN" if locale == "zh" else "en",
            "a11y_large": "large" in prefs,
            "a11y_contrast": "contrast" in prefs,
            "nav_items": sorted(registry().nav, key=lambda n: n.order),
            "staff_links": sorted(registry().staff_links, key=lambda n: n.order),
            "account_links": sorted(registry().account_links, key=lambda n: n.order),
            "footer_links": sorted(registry().footer_links, key=lambda n: n.order),
        }


def register_core(app: Flask) -> None:
    from . import sockets, tasks  # noqa: F401  (tasks: workers must know them)
    from .cli import register_cli
    from .views import accounts, admin, api, main

    for bp in (main.bp, accounts.bp, admin.bp, api.bp):
        app.register_blueprint(bp)
    sockets.register()
    tasks.register_periodic(app)
    register_cli(app)
    _register_errors(app)
    _security_headers(app)
    _template_context(app)
