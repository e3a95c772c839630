"""Absolute links and a request context for work that runs outside a web request.

Mails, QR codes and feeds are also rendered by Celery tasks and the CLI, where there is
no request: the locale selector and url_for then get a neutral one on the public URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, has_request_context, url_for


@contextmanager
def request_context_if_needed() -> Iterator[None]:
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]):
        yield


def external_url(endpoint: str, **values: Any) -> str:
    with request_context_if_needed():
        return url_for(endpoint, _external=True, **values)
