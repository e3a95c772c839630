"""Scaled mode for real: two gevent web processes, a Celery worker, PostgreSQL and Redis.

A client connected to web process A receives an event caused through web process B,
and an event emitted by a Celery task running in the worker process.
"""

from __future__ import annotations

import re
import threading

import pytest
import requests
import socketio as sio_client

from tests.conftest import RUN_ID, free_port
from tests.helpers import PASSWORD
from tests.processes import start_web, start_worker

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _login(base: str, email: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{base}/account/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    resp = s.post(
        f"{base}/account/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 302, resp.text[:300]
    return s


def _csrf(s: requests.Session, url: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', s.get(url, timeout=10).text).group(1)


class Listener:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []
        self.cond = threading.Condition()

    def add(self, name: str, data: dict) -> None:
        with self.cond:
            self.events.append((name, data))
            self.cond.notify_all()

    def wait_for(self, name: str, timeout: float = 20) -> dict:
        with self.cond:
            ok = self.cond.wait_for(lambda: any(n == name for n, _ in self.events), timeout)
        assert ok, f"no {name!r} event within {timeout}s; got {self.events}"
        return next(d for n, d in self.events if n == name)


def test_events_cross_processes_through_redis(app, make_user, postgres_url, redis_url, tmp_path):
    admin = make_user("admin@example.org", admin=True)
    reader = make_user("reader@example.org")
    env = {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "scaled-test-" + RUN_ID,  # every process must share it
        "SOCKETIO_CHANNEL": f"canyu-test-{RUN_ID}",
        "CELERY_QUEUE": f"canyu-test-{RUN_ID}",
        "INSTANCE_PATH": str(tmp_path),
    }
    port_a, port_b = free_port(), free_port()
    with start_web(port_a, env) as web_a, start_web(port_b, env) as web_b, start_worker(env):
        reader_session = _login(web_a, reader.email)
        listener = Listener()
        client = sio_client.Client(reconnection=False)
        client.on("announcement", lambda d: listener.add("announcement", d), namespace="/notify")
        client.on("notification", lambda d: listener.add("notification", d), namespace="/notify")
        cookie = "; ".join(f"{k}={v}" for k, v in reader_session.cookies.items())
        client.connect(
            web_a,
            namespaces=["/notify"],
            transports=["websocket"],
            # same agent as the login: strong session protection checks it
            headers={"Cookie": cookie, "User-Agent": reader_session.headers["User-Agent"]},
            wait_timeout=10,
        )
        try:
            # 1. An admin acts on B; the reader on A sees it.
            admin_b = _login(web_b, admin.email)
            token = _csrf(admin_b, f"{web_b}/admin/announcements")
            resp = admin_b.post(
                f"{web_b}/admin/announcements",
                data={"text": "跨进程公告", "csrf_token": token},
                allow_redirects=False,
                timeout=10,
            )
            assert resp.status_code == 302
            assert listener.wait_for("announcement")["text"] == "跨进程公告"

            # 2. A mail for the reader, queued by B, delivered by the Celery worker, whose
            #    task pushes a notification that reaches the reader's socket on A.
            anon_b = requests.Session()
            token = _csrf(anon_b, f"{web_b}/account/reset")
            resp = anon_b.post(
                f"{web_b}/account/reset",
                data={"email": reader.email, "csrf_token": token},
                allow_redirects=False,
                timeout=10,
            )
            assert resp.status_code == 302
            note = listener.wait_for("notification", timeout=30)
            assert note["subject"]
        finally:
            client.disconnect()
