"""The signed cookie session, without its cost for requests that carry no session.

Flask builds a signing serializer for every request, cookie or not, and most API calls
(personal tokens) and first page views carry none. Building it cost about as much as
the rest of the request context, so a request without the cookie gets an empty session
at once, and the serializer is built once per secret key instead of once per request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[Any, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        # Keyed by the secrets themselves: rotating the key (or its fallbacks) in the
        # config is picked up by the next request, as with Flask's own interface.
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            assert serializer is not None
            self._serializers = {key: serializer}  # only the current keys are kept
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
