"""The database out of reach (a restart, a failover, the network): every request gets a
503 with Retry-After in the user's language, never a 500, and nothing half-written.

The pool heals on its own: `pool_pre_ping` (config.engine_options) replaces connections
that died with the server at checkout, and SQLAlchemy invalidates the whole pool when a
query fails on a lost connection, so the first request after the database returns
succeeds without restarting the web process (bench/faults.py measures the time).
"""

from __future__ import annotations

import contextlib
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _

from .db import db
from .errors import Unavailable

# Seconds a client should wait: a PostgreSQL restart or failover takes a few.
RETRY_AFTER = 5
# Lost or refused connections, a server shutting down, a statement cancelled, a deadlock
# (psycopg's OperationalError family); no free connection in the pool (TimeoutError).
DATABASE_UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def _unavailable_response(message: str) -> Any:
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        resp = jsonify({"error": message, "status": 503})
    else:
        # A page of its own: the usual layout reads the signed-in user and the current
        # announcement from the database that is not there.
        resp = current_app.make_response(
            render_template("errors/unavailable.html", message=message)
        )
    resp.status_code = 503
    resp.headers["Retry-After"] = str(RETRY_AFTER)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _forget_session() -> None:
    with contextlib.suppress(Exception):  # the connection may be gone already
        db.session.rollback()
    db.session.remove()


def register(app: Flask) -> None:
    def database_unavailable(exc: Exception) -> Any:
        app.logger.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
        _forget_session()
        # Do not load the signed-in user for the page: that is another query.
        g._login_user = app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        return _unavailable_response(
            _("The service is briefly unavailable. Please try again in a few seconds.")
        )

    for exc_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(exc_class, database_unavailable)

    @app.errorhandler(Unavailable)
    def unavailable(exc: Unavailable) -> Any:
        _forget_session()
        return _unavailable_response(exc.message)
