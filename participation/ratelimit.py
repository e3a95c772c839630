"""Rate limits on writes, keyed by account when signed in, else by address."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .extensions import limiter


def user_or_ip() -> str:
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


# One budget for all writes of a person, whichever form or API endpoint they use.
write_limit = limiter.shared_limit(
    lambda: current_app.config["WRITE_RATE_LIMIT"],
    scope="writes",
    key_func=user_or_ip,
    methods=["POST", "PUT", "PATCH", "DELETE"],
)

login_limit = limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    key_func=get_remote_address,
    methods=["POST"],
)
