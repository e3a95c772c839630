"""Faults on the scaled set-up: kill, restart and cut off parts of it under load, and
count what was accepted, stored, duplicated and how long recovery took.

Every scenario runs on **private** services it starts itself (a PostgreSQL cluster made
with initdb, a redis-server without persistence, both on free loopback ports), so the
shared ones of a development machine or CI are never touched; the platform runs as in
`make run-scaled` (gevent web processes, a Celery worker, on PostgreSQL and Redis).

    .venv/bin/python bench/faults.py                  # every scenario, full size
    .venv/bin/python bench/faults.py web-kill --clients 200
    .venv/bin/python bench/faults.py --list

tests/faults/ runs the same scenarios at CI size and asserts on the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from tests.processes import (  # noqa: E402
    PrivatePostgres,
    PrivateRedis,
    missing_fault_binaries,
    spawn_web,
    spawn_worker,
    stop,
    wait_http,
    wait_worker_ready,
)

PASSWORD = "fault-tests-password"
BODY = "建议在老旧小区增设公共充电桩，并明确消防安全管理责任。第{}条。"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the set-up --------------------------------------------------------------------------


@dataclass
class Web:
    port: int
    proc: Any
    url: str


@dataclass
class Services:
    """One private PostgreSQL cluster and one private Redis, for several scenarios."""

    root: Path
    pg: PrivatePostgres
    redis: PrivateRedis

    @classmethod
    @contextlib.contextmanager
    def start(cls, root: Path) -> Iterator[Services]:
        # Its own directory under /tmp: run as root, the server runs as `postgres`, which
        # cannot enter a private temporary directory such as pytest's.
        pg_root = Path(tempfile.mkdtemp(prefix="canyu-faults-pg-"))
        pg_root.chmod(0o755)
        pg = PrivatePostgres(pg_root / "cluster", free_port()).init()
        redis = PrivateRedis(root / "redis", free_port())
        pg.start()
        try:
            redis.start()
            yield cls(root, pg, redis)
        finally:
            redis.kill()
            pg.stop("immediate")
            shutil.rmtree(pg_root, ignore_errors=True)


class Stack:
    """A fresh database with the demo data, the env of every platform process, and the
    processes started for one scenario (all stopped by close())."""

    def __init__(self, services: Services, name: str, **env: str) -> None:
        from participation import create_app

        self.services = services
        self.pg, self.redis = services.pg, services.redis
        self.root = services.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        url = self.pg.create_database(name)
        self.env = {
            "DATABASE_URL": url,
            "REDIS_URL": self.redis.url(),
            "SECRET_KEY": f"faults-{name}-{uuid.uuid4().hex}",  # shared by every process
            "SOCKETIO_CHANNEL": f"faults-{name}",
            "CELERY_QUEUE": f"faults-{name}",
            "CELERY_ALWAYS_EAGER": "0",
            "INSTANCE_PATH": str(self.root),
            **env,
        }
        # In this process: eager Celery, no Redis, for setting up data and counting rows.
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
                "REDIS_URL": "",
                "CELERY_ALWAYS_EAGER": True,
                "PERIODIC_JOBS": False,
                "SERVER_NAME": "localhost",
                "RATELIMIT_ENABLED": False,
                "SOCKETIO_ASYNC_MODE": "threading",
                "WTF_CSRF_ENABLED": False,
            }
        )
        self.procs: list[Any] = []
        from participation.db import db

        with self.app.app_context():
            db.create_all()

    def agency(self) -> tuple[int, int]:
        """(organization id, organizer id): an agency with one organizer."""
        from participation import accounts
        from participation.db import db, utcnow
        from participation.models import Membership, Organization, User

        with self.app.app_context():
            org = Organization(name="山东省生态环境厅", name_en="Dept. of Ecology")
            organizer = User(
                email="organizer@example.org",
                display_name="组织者",
                password_hash=accounts.hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
            db.session.add_all([org, organizer])
            db.session.flush()
            db.session.add(Membership(user_id=organizer.id, organization_id=org.id))
            db.session.commit()
            return org.id, organizer.id

    def web(self, port: int | None = None) -> Web:
        port = port or free_port()
        proc = spawn_web(port, self.env)
        self.procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_http(url, proc)
        return Web(port, proc, url)

    def worker(self) -> Any:
        log = self.root / "worker.log"
        offset = log.stat().st_size if log.exists() else 0
        proc = spawn_worker(self.env)
        self.procs.append(proc)
        wait_worker_ready(self.env, proc, offset=offset)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                stop(proc)

    # -- data, in this process --

    def api_users(self, n: int, prefix: str = "fault") -> list[str]:
        """n verified residents with personal API tokens (one password hash for all)."""
        from participation import accounts
        from participation.db import db, utcnow
        from participation.models import User

        with self.app.app_context():
            hashed = accounts.hash_password(PASSWORD)
            users = [
                User(
                    email=f"{prefix}{i}@example.org",
                    display_name=f"测试居民{i}",
                    password_hash=hashed,
                    email_verified_at=utcnow(),
                )
                for i in range(n)
            ]
            db.session.add_all(users)
            tokens = [accounts.issue_api_token(u) for u in users]
            db.session.commit()
        return tokens

    def open_consultation(self) -> int:
        from participation.db import db
        from participation.models import Organization, User
        from tests.events.factories import make_consultation

        org_id, organizer_id = self.agency()
        with self.app.app_context():
            organizer = db.session.get(User, organizer_id)
            return make_consultation(db.session.get(Organization, org_id), organizer).id

    def scalar(self, statement: Any) -> Any:
        from participation.db import db

        with self.app.app_context():
            return db.session.scalar(statement)

    def rows(self, statement: Any) -> list[Any]:
        from participation.db import db

        with self.app.app_context():
            return list(db.session.execute(statement))


@contextlib.contextmanager
def stack(services: Services, name: str, **env: str) -> Iterator[Stack]:
    s = Stack(services, name, **env)
    try:
        yield s
    finally:
        s.close()


# ---- API clients that retry like a careful integration would -------------------------


@dataclass
class Outcome:
    """What the clients saw, per Idempotency-Key and in total."""

    sent: int = 0  # HTTP requests attempted
    created: int = 0  # 201
    replayed: int = 0  # 200 Idempotent-Replayed: a retry got its original receipt
    connection_errors: int = 0
    unavailable: int = 0  # 503
    retry_after_missing: int = 0  # a 503 without Retry-After
    other: Counter = field(default_factory=Counter)  # any other status
    receipts: dict[str, str] = field(default_factory=dict)  # key -> receipt the client kept
    by_port: Counter = field(default_factory=Counter)  # 201s per web process
    last_refusal: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def figures(self) -> dict[str, Any]:
        return {
            "requests_sent": self.sent,
            "created_201": self.created,
            "replayed_200": self.replayed,
            "connection_errors": self.connection_errors,
            "unavailable_503": self.unavailable,
            "503_without_retry_after": self.retry_after_missing,
            "other_statuses": dict(self.other),
            "keys_acknowledged": len(self.receipts),
            "last_refusal": self.last_refusal,
        }


def post_comment_until_acknowledged(
    out: Outcome,
    session: requests.Session,
    urls: list[str],
    consultation_id: int,
    token: str,
    text: str,
    deadline: float,
) -> None:
    """POST one comment under one Idempotency-Key until a 201 or 200 comes back, moving
    to the next web process after a connection error or a 503 (as nginx would)."""
    key = uuid.uuid4().hex
    attempt = 0
    while time.monotonic() < deadline:
        url = urls[attempt % len(urls)]
        attempt += 1
        with out.lock:
            out.sent += 1
        try:
            resp = session.post(
                f"{url}/api/v1/consultations/{consultation_id}/comments",
                json={"body": text},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                timeout=30,
            )
        except (requests.ConnectionError, requests.Timeout):
            with out.lock:
                out.connection_errors += 1
            time.sleep(min(0.1 * attempt, 1.0))
            continue
        with out.lock:
            if resp.status_code in (200, 201):
                if resp.status_code == 201:
                    out.created += 1
                    out.by_port[url.rsplit(":", 1)[1]] += 1
                else:
                    out.replayed += 1
                previous = out.receipts.setdefault(key, resp.json()["receipt_no"])
                assert previous == resp.json()["receipt_no"], "a key got two receipts"
                return
            if resp.status_code == 503:
                out.unavailable += 1
                if "Retry-After" not in resp.headers:
                    out.retry_after_missing += 1
            else:
                out.other[resp.status_code] += 1
                out.last_refusal = resp.text[:300]
                if resp.status_code < 500 and resp.status_code != 429:
                    return  # refused for good: nothing to retry
        time.sleep(min(0.1 * attempt, 1.0))


def stored_comment_figures(s: Stack, consultation_id: int, out: Outcome) -> dict[str, Any]:
    """Rows stored, duplicates per (author, key), and acknowledged receipts missing."""
    from consultations.models import Comment

    rows = s.rows(
        sa.select(Comment.idempotency_key, Comment.receipt_no).where(
            Comment.consultation_id == consultation_id, Comment.idempotency_key.is_not(None)
        )
    )
    per_key = Counter(k for k, _r in rows)
    stored = {r for _k, r in rows}
    return {
        "rows_stored": len(rows),
        "duplicate_rows": sum(n - 1 for n in per_key.values() if n > 1),
        "acknowledged_not_stored": sum(1 for r in out.receipts.values() if r not in stored),
        "stored_not_acknowledged": sum(1 for k in per_key if k not in out.receipts),
    }


# ---- 1. kill -9 of one web process during a comment surge -------------------------------


def web_kill(services: Services, clients: int = 200, per_client: int = 5) -> dict[str, Any]:
    """Two web processes take a surge of API comments; one is killed with SIGKILL a
    moment into it and started again (what systemd's Restart=always does)."""
    with stack(services, "web_kill") as s:
        consultation_id = s.open_consultation()
        tokens = s.api_users(clients)
        a, b = s.web(), s.web()
        out = Outcome()
        deadline = time.monotonic() + 60
        start = threading.Barrier(clients + 1)

        def client(i: int) -> None:
            session = requests.Session()
            urls = [a.url, b.url] if i % 2 == 0 else [b.url, a.url]
            start.wait()
            for n in range(per_client):
                post_comment_until_acknowledged(
                    out, session, urls, consultation_id, tokens[i], BODY.format(n), deadline
                )

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.monotonic()
        # Kill once the surge is under way on both processes.
        while out.created < clients * per_client // 5 and time.monotonic() - t0 < 20:
            time.sleep(0.01)
        created_before_kill = out.created
        a.proc.kill()
        a.proc.wait()
        killed_at = time.monotonic()
        b_before = out.by_port[str(b.port)]
        time.sleep(1.0)  # down for a second, as a supervisor's restart delay
        restarted = s.web(a.port)
        restart_seconds = time.monotonic() - killed_at
        b_while_down = out.by_port[str(b.port)] - b_before
        for t in threads:
            t.join(90)
        surge_seconds = time.monotonic() - t0
        after = requests.get(f"{restarted.url}/healthz", timeout=5).status_code
        return {
            "clients": clients,
            "comments_per_client": per_client,
            "created_before_kill": created_before_kill,
            "created_by_survivor_while_other_down": b_while_down,
            "restart_to_healthy_s": round(restart_seconds, 2),
            "restarted_healthz": after,
            "surge_s": round(surge_seconds, 2),
            "clients_unfinished": sum(t.is_alive() for t in threads),
            **out.figures(),
            **stored_comment_figures(s, consultation_id, out),
        }


# ---- 4. PostgreSQL restarted / unreachable ----------------------------------------------


def database_outage(services: Services, seconds: float = 10.0) -> dict[str, Any]:
    """PostgreSQL stops (immediate shutdown: every connection cut) for `seconds` while
    pages, API reads and API writes keep coming; then it starts again."""
    from consultations.models import Comment

    with stack(services, "db_outage") as s:
        consultation_id = s.open_consultation()
        token = s.api_users(1)[0]
        web = s.web()
        assert requests.get(f"{web.url}/", timeout=10).status_code == 200
        probes: Counter = Counter()
        wrong: list[str] = []
        keys: list[str] = []

        def probe(kind: str, resp: requests.Response, expect_text: str) -> None:
            probes[(kind, resp.status_code)] += 1
            is_json = resp.headers.get("Content-Type", "").startswith("application/json")
            text = resp.json().get("error", "") if is_json else resp.text
            if resp.status_code != 503:
                wrong.append(f"{kind}: {resp.status_code}")
            elif "Retry-After" not in resp.headers:
                wrong.append(f"{kind}: 503 without Retry-After")
            elif expect_text not in text:
                wrong.append(f"{kind}: message not in the expected language")

        s.pg.stop("immediate")
        down_at = time.monotonic()
        while time.monotonic() - down_at < seconds:
            # Fresh clients: a language cookie from one probe must not decide the next.
            probe("page zh", requests.get(f"{web.url}/", timeout=15), "服务暂时不可用")
            probe("page en", requests.get(f"{web.url}/?lang=en", timeout=15), "briefly unavailable")
            probe(
                "api read",
                requests.get(f"{web.url}/api/v1/decisions", timeout=15),
                "服务暂时不可用",
            )
            key = uuid.uuid4().hex
            keys.append(key)
            resp = requests.post(
                f"{web.url}/api/v1/consultations/{consultation_id}/comments",
                json={"body": BODY.format(key)},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                timeout=15,
            )
            probe("api write", resp, "服务暂时不可用")
            time.sleep(0.5)
        s.pg.start()
        up_at = time.monotonic()
        while requests.get(f"{web.url}/api/v1/decisions", timeout=15).status_code != 200:
            time.sleep(0.1)
            assert time.monotonic() - up_at < 30, "the web process did not recover"
        recovered_s = time.monotonic() - up_at
        # Every write refused during the outage, retried with its key: stored exactly once.
        retried = Counter()
        for key in keys:
            resp = requests.post(
                f"{web.url}/api/v1/consultations/{consultation_id}/comments",
                json={"body": BODY.format(key)},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                timeout=15,
            )
            retried[resp.status_code] += 1
        per_key = Counter(
            k
            for (k,) in s.rows(
                sa.select(Comment.idempotency_key).where(Comment.idempotency_key.in_(keys))
            )
        )
        return {
            "outage_s": seconds,
            "requests_during_outage": sum(probes.values()),
            "statuses_during_outage": {f"{k} {c}": n for (k, c), n in sorted(probes.items())},
            "wrong_answers": wrong,
            "recovered_after_restart_s": round(recovered_s, 2),
            "writes_retried_after": sum(retried.values()),
            "retried_statuses": dict(retried),
            "rows_for_retried_keys": sum(per_key.values()),
            "duplicate_rows": sum(n - 1 for n in per_key.values() if n > 1),
        }


# ---- 5. a sign-up surge across a database restart ---------------------------------------


SEATS = {"stakeholder": 5, "public": 5}


def _first_come_event(s: Stack) -> int:
    from events.models import EventKind, SelectionMode
    from events.services import manage
    from participation.db import db, utcnow
    from participation.models import User

    org_id, organizer_id = s.agency()
    with s.app.app_context(), s.app.test_request_context("/?lang=en"):
        organizer = db.session.get(User, organizer_id)
        now = utcnow()
        data = manage.EventData(
            kind=EventKind.symposium,
            title="故障演练座谈会",
            organization_id=org_id,
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=20, hours=3),
            signup_opens_at=now - timedelta(days=1),
            signup_closes_at=now + timedelta(days=10),
            place="省政府第三会议室",
            selection_mode=SelectionMode.first_come,
            categories=[
                {"key": k, "label": k, "seats": n, "is_stakeholder": k == "stakeholder"}
                for k, n in SEATS.items()
            ],
        )
        event = manage.create_event(organizer, data)
        manage.publish_event(organizer, event)
        db.session.commit()
        return event.id


def signup_restart(services: Services, clients: int = 60) -> dict[str, Any]:
    """Residents apply for a first-come event on two web processes while PostgreSQL is
    restarted under them; every client retries until it has an answer."""
    from events.models import SEAT_HOLDING, Application

    with stack(services, "signup_restart") as s:
        event_id = _first_come_event(s)
        tokens = s.api_users(clients, prefix="applicant")
        a, b = s.web(), s.web()
        statuses: Counter = Counter()
        lock = threading.Lock()
        start = threading.Barrier(clients + 1)
        deadline = time.monotonic() + 60

        def client(i: int) -> None:
            urls = [a.url, b.url] if i % 2 else [b.url, a.url]
            category = "stakeholder" if i % 2 else "public"
            body = {
                "category": category,
                "full_name": f"申请人{i}",
                "affiliation": "历下区居民",
                "statement": "希望参加座谈会，反映小区停车难问题。",
            }
            start.wait()
            attempt = 0
            while time.monotonic() < deadline:
                url = urls[attempt % 2]
                attempt += 1
                try:
                    resp = requests.post(
                        f"{url}/api/v1/events/{event_id}/applications",
                        json=body,
                        headers={"Authorization": f"Bearer {tokens[i]}"},
                        timeout=30,
                    )
                    status = resp.status_code
                except requests.ConnectionError:
                    status = "connection error"
                with lock:
                    statuses[status] += 1
                if status in (201, 200, 409):  # 409: applied already (a retry that had won)
                    return
                time.sleep(0.2)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        start.wait()
        time.sleep(0.05)
        s.pg.stop("immediate")
        time.sleep(2.0)
        s.pg.start()
        for t in threads:
            t.join(90)
        apps = s.rows(
            sa.select(Application.user_id, Application.category_key, Application.status).where(
                Application.event_id == event_id
            )
        )
        held = Counter(cat for _u, cat, st in apps if st in SEAT_HOLDING)
        per_user = Counter(u for u, _c, _s in apps)
        return {
            "clients": clients,
            "seats": SEATS,
            "statuses": {str(k): v for k, v in statuses.items()},
            "applications_stored": len(apps),
            "seats_held": dict(held),
            "overbooked": any(held[k] > n for k, n in SEATS.items()),
            "applicants_with_two_rows": sum(1 for n in per_user.values() if n > 1),
            "clients_unfinished": sum(t.is_alive() for t in threads),
        }


# ---- 2. kill -9 of the Celery worker during receipt mails and a grouping job -----------


class SlowSmtpSink:
    """An SMTP server that takes `delay` seconds per mail and records each Message-ID."""

    def __init__(self, delay: float) -> None:
        from aiosmtpd.controller import Controller

        self.delay = delay
        self.received: list[str] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        import asyncio
        import email

        await asyncio.sleep(self.delay)
        msg = email.message_from_bytes(envelope.content)
        self.received.append(msg["Message-ID"])
        return "250 OK"

    def __enter__(self) -> SlowSmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def _send_task(s: Stack, name: str, *args: Any) -> None:
    """Publish a task as beat or a web process would (beat does not run in the tests)."""
    from celery import Celery

    # Not the current app: shared tasks in this process must keep resolving to the platform's.
    client = Celery(broker=s.env["REDIS_URL"], set_as_current=False)
    client.send_task(name, args=list(args), queue=s.env["CELERY_QUEUE"])
    client.close()


def _comments_for_grouping(s: Stack, consultation_id: int, n: int) -> None:
    from bench.grouping_bench import generate
    from consultations.models import Comment
    from participation.db import db

    items, _label = generate(n, seed=7)
    rows = [
        {
            "receipt_no": f"G{num:09d}",
            "consultation_id": consultation_id,
            "body": text,
            "published_body": text,
            "flagged_words": [],
        }
        for num, text in items
    ]
    with s.app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.insert(Comment), rows)


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise TimeoutError(what)
        time.sleep(0.05)
    return time.monotonic() - started


def worker_kill(
    services: Services, comments: int = 120, grouped: int = 3000, mail_delay: float = 0.05
) -> dict[str, Any]:
    """Receipt mails go out through a slow SMTP server; the worker is killed with SIGKILL
    a quarter of the way through, then again while a grouping job runs, and restarted."""
    from consultations.models import Comment, GroupingJob
    from consultations.tasks import GROUPING_TASK, RECEIPTS_TASK
    from participation.db import db, utcnow
    from participation.models import OutboxMail
    from participation.tasks import RESEND_TASK

    with SlowSmtpSink(mail_delay) as sink:
        env = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(sink.port),
            "OUTBOX_RESEND_SECONDS": "2",
            "GROUPING_STALE_SECONDS": "3",
            "RATELIMIT_ENABLED": "0",
        }
        with stack(services, "worker_kill", **env) as s:
            consultation_id = s.open_consultation()
            tokens = s.api_users(comments, prefix="mailed")
            web = s.web()
            worker = s.worker()
            out = Outcome()
            deadline = time.monotonic() + 60
            threads = [
                threading.Thread(
                    target=post_comment_until_acknowledged,
                    args=(
                        out,
                        requests.Session(),
                        [web.url],
                        consultation_id,
                        token,
                        BODY.format(i),
                        deadline,
                    ),
                )
                for i, token in enumerate(tokens)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(90)
            _wait(lambda: len(sink.received) >= comments // 4, 60, "a quarter of the mails")
            worker.kill()
            worker.wait()
            at_kill = len(sink.received)
            killed_at = time.monotonic()
            time.sleep(0.5)
            s.worker()

            def all_sent() -> bool:
                # What beat would do every minute; here every second.
                _send_task(s, RECEIPTS_TASK)
                _send_task(s, RESEND_TASK)
                queued = s.scalar(
                    sa.select(sa.func.count(OutboxMail.id)).where(OutboxMail.status != "sent")
                )
                pending = s.scalar(
                    sa.select(sa.func.count(Comment.id)).where(Comment.receipt_pending)
                )
                if queued or pending:
                    time.sleep(1.0)
                return not queued and not pending

            mails_recovered_s = _wait(all_sent, 90, "every receipt mailed") + 0.5
            outbox = s.scalar(sa.select(sa.func.count(OutboxMail.id)))
            mail_figures = {
                "comments_acknowledged": len(out.receipts),
                "outbox_rows": outbox,
                "mails_received_before_kill": at_kill,
                "mails_received": len(sink.received),
                "distinct_message_ids": len(set(sink.received)),
                "duplicate_deliveries": len(sink.received) - len(set(sink.received)),
                "all_mailed_after_restart_s": round(mails_recovered_s, 1),
            }

            # The grouping job: killed while it runs, failed by the stale sweep, run again.
            _comments_for_grouping(s, consultation_id, grouped)
            with s.app.app_context():
                job = GroupingJob(
                    consultation_id=consultation_id, status="queued", heartbeat_at=utcnow()
                )
                db.session.add(job)
                db.session.commit()
                job_id = job.id
            status = lambda: s.scalar(  # noqa: E731
                sa.select(GroupingJob.status).where(GroupingJob.id == job_id)
            )
            _send_task(s, GROUPING_TASK, job_id)
            _wait(lambda: status() != "queued", 60, "the grouping job to start")
            status_at_kill = status()
            s.procs[-1].kill()
            s.procs[-1].wait()
            killed_at = time.monotonic()
            s.worker()

            def settled() -> bool:
                _send_task(s, "consultations.fail_stale_grouping")
                if status() in ("queued", "running"):
                    time.sleep(1.0)
                    return False
                return True

            settled_s = time.monotonic() - killed_at + _wait(settled, 60, "the job to settle")
            first = status()
            with s.app.app_context():
                rerun = GroupingJob(
                    consultation_id=consultation_id, status="queued", heartbeat_at=utcnow()
                )
                db.session.add(rerun)
                db.session.commit()
                rerun_id = rerun.id
            _send_task(s, GROUPING_TASK, rerun_id)
            rerun_status = lambda: s.scalar(  # noqa: E731
                sa.select(GroupingJob.status).where(GroupingJob.id == rerun_id)
            )
            _wait(lambda: rerun_status() in ("done", "failed"), 90, "the re-run")
            return {
                **mail_figures,
                "grouping_comments": grouped,
                "grouping_status_at_kill": status_at_kill,
                "grouping_status_after": first,
                "grouping_settled_after_kill_s": round(settled_s, 1),
                "rerun_status": rerun_status(),
            }


# ---- 3. Redis restarted during a live session ---------------------------------------------


def _live_session(s: Stack, voters: int, questions: int) -> tuple[int, list[int], list[str], int]:
    """(session id, pending question ids, voter emails, a consultation id); organizer@
    moderates."""
    from events.live.models import QuestionStatus
    from participation import accounts
    from participation.db import db, utcnow
    from participation.models import Organization, User
    from tests.events.factories import make_consultation
    from tests.events.live.factories import add_moderator, add_question, make_event, make_session

    org_id, organizer_id = s.agency()
    with s.app.app_context():
        org, organizer = db.session.get(Organization, org_id), db.session.get(User, organizer_id)
        event = make_event(org)
        add_moderator(event, organizer)
        session = make_session(event)
        hashed = accounts.hash_password(PASSWORD)
        people = [
            User(
                email=f"voter{i}@example.org",
                display_name=f"投票人{i}",
                password_hash=hashed,
                email_verified_at=utcnow(),
            )
            for i in range(voters)
        ]
        db.session.add_all(people)
        db.session.commit()
        for i in range(3):
            add_question(session, organizer, f"已公开的问题{i}：何时公布结果？")
        pending = [
            add_question(session, people[0], f"待审核的问题{i}？", status=QuestionStatus.pending).id
            for i in range(questions)
        ]
        consultation_id = make_consultation(org, organizer).id
        return session.id, pending, [p.email for p in people], consultation_id


LISTENER_BACKOFF_S = 5.0


def redis_restart(services: Services, viewers: int = 100, voters: int = 6) -> dict[str, Any]:
    """Viewers on two web processes watch a live session; votes are cast and flushed;
    Redis is killed (no persistence: it comes back empty) and started again. A question
    approved while Redis is down and one approved after must reach every viewer."""
    from events.live.models import Question, QuestionStatus, QuestionVote
    from tests.events.live.protocol import LiveViewer, signed_in_cookie

    with stack(services, "redis_restart") as s:
        session_id, pending, emails, consultation_id = _live_session(s, voters, questions=3)
        writer = s.api_users(1, prefix="writer")[0]
        a, b = s.web(), s.web()
        watchers = [LiveViewer((a, b)[i % 2].url, session_id) for i in range(viewers)]
        try:
            mod_cookie, _http = signed_in_cookie(b.url, "organizer@example.org", PASSWORD)
            moderator = LiveViewer(b.url, session_id, mod_cookie)
            assert moderator.call("join", {"session_id": session_id, "moderator": True})["ok"]
            public = sorted(watchers[0].questions)
            acked = 0
            for i, email in enumerate(emails):
                cookie, _ = signed_in_cookie((a, b)[i % 2].url, email, PASSWORD)
                voter = LiveViewer((a, b)[i % 2].url, session_id, cookie)
                for qid in public[: 1 + i % len(public)]:
                    if voter.call("vote", {"question_id": qid}).get("ok"):
                        acked += 1
                voter.close()
            time.sleep(1.5)  # three flush intervals: acknowledged votes are in the database
            s.redis.kill()
            down_at = time.monotonic()
            during = moderator.call(
                "moderate", {"action": "approve", "question_id": pending[0], "rev": 1}
            )
            # A rate-limited write (the limits live in Redis): counted in memory meanwhile.
            rate_limited_write = requests.post(
                f"{a.url}/api/v1/consultations/{consultation_id}/comments",
                json={"body": BODY.format("redis")},
                headers={"Authorization": f"Bearer {writer}", "Idempotency-Key": "redis-down"},
                timeout=15,
            ).status_code
            time.sleep(1.0)
            s.redis.start()
            restarted_at = time.monotonic()
            after = moderator.call(
                "moderate", {"action": "approve", "question_id": pending[1], "rev": 1}
            )
            # A process's Socket.IO subscription comes back with backoff (1, 2, 4 s):
            # deltas published before that are lost for its viewers, who see the gap at
            # the next delta and resync (docs/realtime.md). The next change, a bit later:
            time.sleep(LISTENER_BACKOFF_S)
            next_change = moderator.call(
                "moderate", {"action": "approve", "question_id": pending[2], "rev": 1}
            )
            changed_at = time.monotonic()
            approvals = zip(pending, (during, after, next_change), strict=True)
            expected = set(public) | {q for q, ack in approvals if ack["ok"]}
            synced_at: float | None = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if all(set(w.questions) == expected for w in watchers):
                    synced_at = time.monotonic()
                    break
                time.sleep(0.1)
            in_sync = sum(set(w.questions) == expected for w in watchers)
            fresh = LiveViewer(a.url, session_id)
            stored_votes = s.scalar(sa.select(sa.func.count(QuestionVote.user_id)))
            db_public = {
                q
                for (q,) in s.rows(
                    sa.select(Question.id).where(
                        Question.session_id == session_id,
                        Question.status == QuestionStatus.approved,
                    )
                )
            }
            figures = {
                "viewers": viewers,
                "votes_acknowledged_before": acked,
                "votes_in_database_after": stored_votes,
                "approve_while_down": during.get("ok", during.get("status")),
                "approve_after_restart": after.get("ok", after.get("status")),
                "approve_later": next_change.get("ok", next_change.get("status")),
                "write_while_redis_down_status": rate_limited_write,
                "viewers_in_sync": in_sync,
                "in_sync_after_restart_s": synced_at and round(synced_at - restarted_at, 2),
                "in_sync_after_next_change_s": synced_at and round(synced_at - changed_at, 2),
                "redis_down_s": round(restarted_at - down_at, 2),
                "snapshots_taken": sum(w.snapshots for w in watchers),
                "fresh_join_matches_database": set(fresh.questions) == db_public == expected,
            }
            fresh.close()
            moderator.close()
            return figures
        finally:
            for w in watchers:
                with contextlib.suppress(Exception):
                    w.close()


# ---- 7. backup and restore into a fresh database ---------------------------------------


def _app_on(url: str) -> Any:
    from participation import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
            "REDIS_URL": "",
            "CELERY_ALWAYS_EAGER": True,
            "PERIODIC_JOBS": False,
            "SERVER_NAME": "localhost",
            "RATELIMIT_ENABLED": False,
            "SOCKETIO_ASYNC_MODE": "threading",
        }
    )


def fill_for_backup(app: Any, comments: int) -> list[str]:
    """Comments with receipts and a chain of audit entries; returns the receipt numbers."""
    from consultations.models import Comment, Consultation
    from consultations.services import receipts
    from participation import audit
    from participation.db import db, utcnow

    with app.app_context():
        consultation_id = db.session.scalar(sa.select(Consultation.id).limit(1))
        year = utcnow().year
        numbers = [receipts.generate(year) for _ in range(comments)]
        db.session.execute(
            sa.insert(Comment),
            [
                {
                    "receipt_no": no,
                    "consultation_id": consultation_id,
                    "body": BODY.format(i),
                    "published_body": BODY.format(i),
                    "flagged_words": [],
                }
                for i, no in enumerate(numbers)
            ],
        )
        for i in range(50):
            audit.record(None, "backup.test", "comment", i, data={"n": i})
        db.session.commit()
        return numbers


def backup_restore(services: Services, comments: int = 2000) -> dict[str, Any]:
    """`flask backup` of a live database, `flask restore` into a new one, then the checks
    an operator runs: the audit chain verifies and every receipt resolves."""
    with stack(services, "backup_source") as s:
        s.open_consultation()
        numbers = fill_for_backup(s.app, comments)
        runner = s.app.test_cli_runner()
        started = time.monotonic()
        result = runner.invoke(args=["backup", str(s.root / "backups")])
        backup_s = time.monotonic() - started
        assert result.exit_code == 0, result.output
        dump = Path(result.output.strip().rsplit(" ", 1)[1])
        target = s.pg.create_database("backup_restored")
        restored = _app_on(target)
        runner = restored.test_cli_runner()
        started = time.monotonic()
        result = runner.invoke(args=["restore", str(dump)])
        restore_s = time.monotonic() - started
        assert result.exit_code == 0, result.output
        again = runner.invoke(args=["restore", str(dump)])  # refused: not empty any more
        audit_check = runner.invoke(args=["audit-verify"])
        receipt_check = runner.invoke(args=["receipts-verify"])
        client = restored.test_client()
        sample = numbers[:: max(1, len(numbers) // 50)]
        pages = Counter(client.get(f"/receipts/{no}").status_code for no in sample)
        return {
            "comments": comments,
            "dump_bytes": dump.stat().st_size,
            "backup_s": round(backup_s, 2),
            "restore_s": round(restore_s, 2),
            "restore_into_non_empty_refused": again.exit_code != 0,
            "audit_verify": audit_check.output.strip(),
            "audit_verify_exit": audit_check.exit_code,
            "receipts_verify": receipt_check.output.strip(),
            "receipts_verify_exit": receipt_check.exit_code,
            "receipt_pages_checked": dict(pages),
        }


# ---- running -----------------------------------------------------------------------------

SCENARIOS: dict[str, Callable[..., dict[str, Any]]] = {
    "web-kill": web_kill,
    "db-outage": database_outage,
    "signup-restart": signup_restart,
    "worker-kill": worker_kill,
    "redis-restart": redis_restart,
    "backup-restore": backup_restore,
}


def machine() -> str:
    python = platform.python_version()
    return f"{platform.node()}: {os.cpu_count()} CPUs, {platform.platform()}, Python {python}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("scenarios", nargs="*", help="default: all")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the logs of every process")
    parser.add_argument("--clients", type=int, help="web-kill / signup-restart clients")
    parser.add_argument("--viewers", type=int, help="redis-restart Socket.IO viewers")
    args = parser.parse_args()
    if args.list:
        print("\n".join(SCENARIOS))
        return
    if reason := missing_fault_binaries():
        sys.exit(f"cannot run: {reason}")
    names = args.scenarios or list(SCENARIOS)
    print(f"# {machine()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="canyu-faults-"))
    print(f"# logs in {tmp}" + ("" if args.keep else " (removed at the end; --keep keeps them)"))
    with Services.start(tmp) as services:
        for name in names:
            takes_clients = name in ("web-kill", "signup-restart")
            kwargs = {"clients": args.clients} if args.clients and takes_clients else {}
            if args.viewers and name == "redis-restart":
                kwargs = {"viewers": args.viewers}
            started = time.monotonic()
            figures = SCENARIOS[name](services, **kwargs)
            figures["scenario_s"] = round(time.monotonic() - started, 1)
            print(json.dumps({name: figures}, ensure_ascii=False, indent=1), flush=True)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
