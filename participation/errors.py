"""Errors a user can cause, raised by services and turned into 4xx pages or JSON."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a message already in the user's language."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(ServiceError):
    status = 403


class EmailNotVerified(PermissionDenied):
    """Signed in, but the email address is not confirmed yet (pages offer a new link)."""


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Gone(ServiceError):
    """Out of window: a closed consultation, an ended sign-up."""

    status = 410


class Unavailable(ServiceError):
    """The work could not be finished in time; trying again later may succeed."""

    status = 503


class Unauthenticated(ServiceError):
    """No identity: sign in, or send a valid personal token (401 with a Bearer challenge)."""

    status = 401

    def __init__(self, message: str, *, invalid_token: bool = False) -> None:
        super().__init__(message)
        self.invalid_token = invalid_token
