"""A Python client of the /live protocol for integration tests (and a reference for
other clients): keeps a session's state with versioned deltas and snapshots."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import requests
import socketio

# Flask-Login's "strong" session protection ties a session to the user agent (and the
# address): the websocket must present the same one as the login.
USER_AGENT = "canyu-live-client/1.0"
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def signed_in_cookie(base: str, email: str, password: str = "canyu-demo") -> tuple[str, Any]:
    """Sign in through the real login form (CSRF on) and return the Cookie header."""
    http = requests.Session()
    http.headers["User-Agent"] = USER_AGENT
    token = CSRF_RE.search(http.get(f"{base}/account/login", timeout=10).text).group(1)
    resp = http.post(
        f"{base}/account/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 302, resp.text[:300]
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items()), http


class LiveViewer:
    def __init__(self, base: str, session_id: int, cookie: str | None = None) -> None:
        self.session_id = session_id
        self.version: int | None = None
        self.questions: dict[int, dict[str, Any]] = {}
        self.session: dict[str, Any] = {}
        self.viewers = 0
        self.counts_seen = 0
        self.snapshots = 0
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("delta", self._delta, namespace="/live")
        self.sio.on("counts", self._counts, namespace="/live")
        headers = {"User-Agent": USER_AGENT}
        if cookie:
            headers["Cookie"] = cookie
        self.sio.connect(base, namespaces=["/live"], transports=["websocket"], headers=headers)
        self._snapshot(self.call("join", {"session_id": session_id})["snapshot"])

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.sio.call(event, payload, namespace="/live", timeout=15)

    def _snapshot(self, snap: dict[str, Any]) -> None:
        with self.lock:
            self.snapshots += 1
            self.version = snap["v"]
            self.session = snap["session"]
            self.viewers = snap["viewers"]
            self.questions = {q["id"]: q for q in snap["questions"]}

    def _delta(self, d: dict[str, Any]) -> None:
        with self.lock:
            if d["session_id"] != self.session_id or self.version is None:
                return
            if d["v"] <= self.version:
                return
            gap = d["v"] != self.version + 1
            if not gap:
                self.version = d["v"]
                self.session = d.get("session") or self.session
                for q in d.get("questions", []):
                    self.questions[q["id"]] = q
                for qid in d.get("removed", []):
                    self.questions.pop(qid, None)
        if gap:  # outside the lock: the ack arrives on another thread
            self.sio.start_background_task(self._resync)

    def _resync(self) -> None:
        self._snapshot(self.call("snapshot", {"session_id": self.session_id})["snapshot"])

    def _counts(self, c: dict[str, Any]) -> None:
        with self.lock:
            self.counts_seen += 1
            self.viewers = c["viewers"]
            for qid, q in self.questions.items():
                q["votes"] = c["votes"].get(str(qid), 0)

    def ordered(self) -> list[tuple[int, str, int]]:
        """Questions as the page shows them by votes: (id, body, votes)."""
        with self.lock:
            qs = sorted(self.questions.values(), key=lambda q: (-q["votes"], q["id"]))
            return [(q["id"], q["body"], q["votes"]) for q in qs]

    def close(self) -> None:
        self.sio.disconnect()


def wait_until(predicate: Any, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
