"""Helpers that tests import directly (fixtures live in conftest.py)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from participation.db import db
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


def run_together(app: Any, fns: list[Callable[[], Any]], timeout: float = 60) -> list[Any]:
    """Run each fn in its own thread and app context (its own session, so its own
    database connection), all released at once; their results in order. The first
    failure is re-raised here, in the test."""
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)
    failures: list[BaseException] = []

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            with app.app_context(), app.test_request_context():
                barrier.wait(timeout=10)
                results[i] = fn()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if failures:
        raise failures[0]
    return results
