"""Rate limits on writes, keyed by account when signed in, else by the client address.

Sign-in, password reset and registration are limited twice: per client address (one
attacker cannot try many accounts) and per account (many addresses cannot brute-force
one account), so one person's failures never lock out others behind the same proxy.
"""

from __future__ import annotations

import hashlib
import math
import time
from datetime import timedelta
from typing import Any

from flask import current_app, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from .extensions import limiter
from .proxies import client_address


def user_or_ip() -> str:
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"ip:{client_address()}"


def _address() -> str:
    return f"ip:{client_address()}"


def _submitted_account() -> str:
    # Normalised as accounts.normalise_email does for valid addresses; hashed so that
    # the rate-limit store holds no email addresses.
    return (request.form.get("email") or "").strip().lower()[:254]


def _account() -> str:
    digest = hashlib.sha256(_submitted_account().encode()).hexdigest()[:32]
    return f"account:{digest}"


def _failed(response: Any) -> bool:
    # A 429 from another limit is not an attempt at the password.
    return response.status_code >= 400 and response.status_code != 429


# One budget for all writes of a person, whichever form or API endpoint they use.
write_limit = limiter.shared_limit(
    lambda: current_app.config["WRITE_RATE_LIMIT"],
    scope="writes",
    key_func=user_or_ip,
    methods=["POST", "PUT", "PATCH", "DELETE"],
)

# Failed sign-ins per client address; a successful one costs nothing.
login_limit = limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=_address,
    methods=["POST"],
    deduct_when=_failed,
)

# Failed sign-ins per account, from whatever address.
account_login_limit = limiter.limit(
    lambda: current_app.config["ACCOUNT_RATE_LIMIT"],
    key_func=_account,
    methods=["POST"],
    exempt_when=lambda: not _submitted_account(),
    deduct_when=_failed,
)

# Reset mails and registrations per address: every request counts (each may send mail).
address_limit = limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_address, methods=["POST"]
)
account_limit = limiter.limit(
    lambda: current_app.config["ACCOUNT_RATE_LIMIT"],
    key_func=_account,
    methods=["POST"],
    exempt_when=lambda: not _submitted_account(),
)


def retry_after_seconds() -> int | None:
    """Seconds until the limit this request broke lets the next one through."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


def too_many_message() -> str:
    seconds = retry_after_seconds()
    if seconds is None:
        return _("Too many requests. Please wait a moment and try again.")
    # In the largest whole unit ("1 hour", "5 minutes"); Retry-After has the exact seconds.
    wait = format_timedelta(timedelta(seconds=seconds), threshold=1, add_direction=False)
    return _(
        "Too many attempts. Please try again in %(wait)s.",
        wait=wait,
    )
