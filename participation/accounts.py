"""Account services: registration, verification, sign-in, reset, personal data."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from . import audit, passwords, signin, snapshots
from .db import db, utcnow
from .errors import Conflict, NotFound, ServiceError
from .mail import send_template
from .models import Membership, Organization, OutboxMail, User
from .permissions import require_admin
from .public_text import screen_columns
from .screening import find_pii
from .signals import user_data_erase, user_data_export

# Display names are shown with named comments and questions: screened like any public text.
screen_columns(User.display_name)

_hasher = PasswordHasher()
MIN_PASSWORD = passwords.MIN_PASSWORD
MAX_PASSWORD = passwords.MAX_PASSWORD
VERIFY_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 2 * 3600


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        ok = _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return ok


def normalise_email(raw: str) -> str:
    try:
        info = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ServiceError(_("Please enter a valid email address."), field="email") from exc
    return info.normalized.lower()


def _check_password_strength(password: str, email: str | None = None, name: str = "") -> None:
    passwords.check(password, email=email, name=name)


def _check_display_name(name: str) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= 50:
        raise ServiceError(_("Please enter a name of 1 to 50 characters."), field="display_name")
    if find_pii(name):
        raise ServiceError(
            _(
                "Your name is shown publicly with the comments you publish under it: "
                "please leave out phone numbers, ID numbers and email addresses."
            ),
            field="display_name",
        )
    return name


def change_display_name(user: User, display_name: str) -> User:
    """The name shown with the person's named comments and questions (screened as at sign-up)."""
    user.display_name = _check_display_name(display_name)
    return user


def register(email: str, password: str, display_name: str, locale: str = "zh") -> User | None:
    """A new unverified account, or None when the address is taken.

    The caller answers both cases the same way ("check your mailbox"), so registration
    does not tell whether an address has an account; the owner of a taken address gets
    a notice instead of a verification mail.
    """
    email = normalise_email(email)
    name = _check_display_name(display_name)
    _check_password_strength(password, email, name)
    password_hash = hash_password(password)  # in both cases: the same time either way
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None:
        if existing.is_active:
            send_template(
                existing,
                _l("Someone tried to register with your email address"),
                "mail/account_exists.txt",
                login_link=url_for("accounts.login", _external=True),
                reset_link=url_for("accounts.request_reset", _external=True),
            )
        return None
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=name,
        locale=locale if locale in {"zh", "en"} else "zh",
    )
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    return user


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def send_verification(user: User) -> None:
    token = _serializer("verify-email").dumps({"id": user.id, "email": user.email})
    link = url_for("accounts.verify_email", token=token, _external=True)
    send_template(user, _l("Please confirm your email address"), "mail/verify_email.txt", link=link)


def verify_email(token: str) -> User:
    try:
        data = _serializer("verify-email").loads(token, max_age=VERIFY_MAX_AGE)
    except SignatureExpired as exc:
        raise ServiceError(_("This link has expired. Please ask for a new one.")) from exc
    except BadSignature as exc:
        raise ServiceError(_("This link is not valid.")) from exc
    user = db.session.get(User, data.get("id"))
    if user is None or user.email != data.get("email"):
        raise ServiceError(_("This link is not valid."))
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User:
    """Same message for an unknown email and a wrong password: no account probing."""
    try:
        email = normalise_email(email)
    except ServiceError:
        email = ""
    user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
    if user is None or not user.is_active or not check_password(user, password):
        if user is None:
            _hasher.hash("timing-equaliser")  # make unknown emails cost the same
        raise ServiceError(_("Wrong email address or password."))
    return user


def _reset_fingerprint(user: User) -> str:
    # Changes when the password changes, so a reset link works only once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    try:
        email = normalise_email(email)
    except ServiceError:
        return
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.is_active:
        return
    token = _serializer("reset").dumps({"id": user.id, "fp": _reset_fingerprint(user)})
    link = url_for("accounts.reset_password", token=token, _external=True)
    send_template(user, _l("Reset your password"), "mail/reset_password.txt", link=link)


def reset_password(token: str, new_password: str) -> User:
    try:
        data = _serializer("reset").loads(token, max_age=RESET_MAX_AGE)
    except BadSignature as exc:
        raise ServiceError(_("This link is not valid or has expired.")) from exc
    user = db.session.get(User, data.get("id"))
    if user is None or data.get("fp") != _reset_fingerprint(user):
        raise ServiceError(_("This link is not valid or has expired."))
    _check_password_strength(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    signin.end_all_sessions(user)  # whoever had the old password is signed out
    return user


def issue_api_token(user: User) -> str:
    """A personal API token, shown once; only its hash is stored."""
    token = "cy_" + secrets.token_urlsafe(32)
    user.api_token_hash = hashlib.sha256(token.encode()).hexdigest()
    return token


# A revoked token or a closed account stops working at once on this web process and
# within this many seconds on the others (participation.snapshots).
API_TOKEN_SNAPSHOT_SECONDS = 30.0


def user_for_api_token(token: str) -> User | None:
    if not token.startswith("cy_") or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    user = snapshots.cache("api_tokens", API_TOKEN_SNAPSHOT_SECONDS).get(
        digest, lambda s: s.scalar(sa.select(User).where(User.api_token_hash == digest))
    )
    return user if user and user.is_active else None


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about a person (PIPL access right)."""
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "email_verified_at": user.email_verified_at.isoformat()
            if user.email_verified_at
            else None,
            "created_at": user.created_at.isoformat(),
            "locale": user.locale,
            "organizations": [m.organization.name for m in user.memberships],
        },
        "mails": [
            {"subject": m.subject, "created_at": m.created_at.isoformat()}
            for m in db.session.scalars(
                sa.select(OutboxMail).where(OutboxMail.user_id == user.id).order_by(OutboxMail.id)
            )
        ],
    }
    for _receiver, section in user_data_export.send(user):
        if section:
            data.update(section)
    return data


def delete_account(user: User) -> None:
    """Erase identity and contact data; keep submitted opinions, now anonymous.

    Opinions are part of the public record of a decision, so features anonymise
    rather than delete them (each feature answers the user_data_erase signal).
    """
    user_data_erase.send(user)
    db.session.execute(sa.delete(OutboxMail).where(OutboxMail.user_id == user.id))
    user.email = None
    user.password_hash = ""
    user.api_token_hash = None
    user.display_name = _("Deleted user")
    user.deleted_at = utcnow()
    user.memberships.clear()


def add_organizer(admin: User, user: User, organization: Organization) -> Membership:
    require_admin(admin)
    if organization.id in user.organization_ids:
        raise Conflict(_("This person is already a member of the organization."))
    membership = Membership(user=user, organization=organization)
    db.session.add(membership)
    audit.record(
        admin, "organization.add_member", "organization", organization.id, data={"user_id": user.id}
    )
    return membership


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    return user
