"""Helpers that tests import directly (fixtures live in conftest.py)."""

from __future__ import annotations

import re
from typing import Any

from participation.models import User

PASSWORD = "correct horse battery"


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def login(client: Any, user: User, password: str = PASSWORD) -> Any:
    """Sign in through the real form (with its CSRF token, in case CSRF is on)."""
    html = client.get("/account/login").get_data(as_text=True)
    match = CSRF_RE.search(html)
    data = {"email": user.email, "password": password}
    if match:
        data["csrf_token"] = match.group(1)
    resp = client.post("/account/login", data=data)
    assert resp.status_code == 302, resp.data[:500]
    return client


def csrf_token_from(client: Any, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)
