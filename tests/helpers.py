"""Helpers that tests import directly (fixtures live in conftest.py)."""

from __future__ import annotations

import re
from typing import Any

from participation.models import User

PASSWORD = "correct horse battery"


def login(client: Any, user: User, password: str = PASSWORD) -> Any:
    resp = client.post("/account/login", data={"email": user.email, "password": password})
    assert resp.status_code == 302, resp.data[:500]
    return client


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token_from(client: Any, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)
