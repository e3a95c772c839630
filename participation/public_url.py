"""The site's one public address, and the start-up checks of a production deployment.

Every absolute link (mails, feeds, the OpenAPI servers entry, QR codes, the presenter
screen) is built from ``PUBLIC_URL``, never from the request's Host header: a forged
Host would otherwise put an attacker's address into a password-reset mail.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, has_request_context
from flask.globals import request_ctx


class ConfigurationError(RuntimeError):
    """A production setting is missing or unsafe: the application refuses to start."""


def is_production(config: Any) -> bool:
    return config.get("DEPLOYMENT") == "production"


def public_origin(config: Any) -> str:
    """scheme://host[:port] of PUBLIC_URL (its path, if any, is the script root)."""
    parts = urlsplit(config["PUBLIC_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def configure(app: Flask) -> None:
    """Check and complete the configuration after overrides, before anything serves."""
    config = app.config
    url = (config.get("PUBLIC_URL") or "").strip().rstrip("/")
    parts = urlsplit(url)
    if is_production(config):
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigurationError(
                "DEPLOYMENT=production needs PUBLIC_URL set to the site's https address, "
                f"e.g. https://canyu.example.gov.cn (got {url!r})."
            )
        # Requests for any other host are refused (400): nothing can be built from it.
        if not config.get("TRUSTED_HOSTS"):
            config["TRUSTED_HOSTS"] = [parts.hostname]
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"PUBLIC_URL must be an http(s) address (got {url!r}).")
    config["PUBLIC_URL"] = url
    config["PUBLIC_ORIGIN"] = public_origin(config)  # once: url_for runs on hot paths
    config["PREFERRED_URL_SCHEME"] = parts.scheme


class PublicURLFlask(Flask):
    """Flask whose absolute URLs always point at PUBLIC_URL."""

    def url_for(  # type: ignore[override]
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        in_request = has_request_context()
        external = _external if _external is not None else (_scheme is not None or not in_request)
        if in_request and request_ctx.url_adapter is not None:
            # The path only (with the request's script root); the host is ours.
            path = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
        else:
            # No request, or one for a host we refused (its error page still has links).
            with self.test_request_context("/", base_url=self.config["PUBLIC_URL"]):
                path = super().url_for(endpoint, _anchor=_anchor, _method=_method, **values)
        if not external:
            return path
        origin = self.config["PUBLIC_ORIGIN"]
        if _scheme is not None:
            origin = _scheme + origin[origin.index("://") :]
        return origin + path
