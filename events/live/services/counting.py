"""Vote counts, always read from the database (the one authority across processes), and
whom a viewer counts as."""

from __future__ import annotations

import ipaddress
import secrets

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from participation.db import db
from participation.models import User

from ..models import Question, QuestionStatus, QuestionVote
from .store import get_store


def vote_count(question_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(QuestionVote.id)).where(QuestionVote.question_id == question_id)
        )
        or 0
    )


def vote_counts(session_id: int, *, public_only: bool = False) -> dict[int, int]:
    stmt = (
        sa.select(QuestionVote.question_id, sa.func.count(QuestionVote.id))
        .join(Question, Question.id == QuestionVote.question_id)
        .where(Question.session_id == session_id)
        .group_by(QuestionVote.question_id)
    )
    if public_only:
        stmt = stmt.where(Question.status == QuestionStatus.approved)
    return {int(qid): int(n) for qid, n in db.session.execute(stmt)}


def voted_by(session_id: int, user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(QuestionVote.question_id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.session_id == session_id, QuestionVote.user_id == user_id)
        )
    )


# ---- viewers ---------------------------------------------------------------------------
# The public viewer count counts people, not sockets: a signed-in person once however
# many tabs, a browser once by the signed token its viewer page set (VIEWER_COOKIE), and at
# most LIVE_VIEWERS_PER_ADDRESS browsers per address (an IPv6 /64 is one address). Sockets
# without a valid token count once per address together, so a script opening many
# sockets, or fetching many tokens, adds at most the cap.

VIEWER_COOKIE = "live_viewer"
_VIEWER_SALT = "live-viewer"


def _viewer_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_VIEWER_SALT)


def new_viewer_token() -> str:
    return _viewer_signer().dumps(secrets.token_urlsafe(12))


def _browser_id(token: str | None) -> str | None:
    if not token or len(token) > 200:
        return None
    try:
        value = _viewer_signer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def address_key(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def viewer_key(session_id: int, user: User | None, token: str | None, address: str | None) -> str:
    """Whom a joining socket counts as in the public viewer count."""
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u:{user.id}"
    where = address_key(address)
    browser = _browser_id(token)
    cap = int(current_app.config["LIVE_VIEWERS_PER_ADDRESS"])
    if browser and get_store().claim_browser(session_id, where, browser, cap):
        return f"b:{browser}"
    return f"a:{where}"
