"""Sign-up storm on PostgreSQL: N concurrent sign-ups for a 100-seat hearing, then
concurrent withdrawals mixed with duplicate sign-ups, then the offer-expiry job.

Clients run in several processes with several threads each, like web processes behind a
proxy; every thread has its own session and connection. Mails are queued for Celery
(not rendered inline), as in production. Checks: no category over its quota (zero
overbooking), every applicant in exactly one state, no duplicate waitlist positions.

    .venv/bin/python bench/signup_bench.py [--signups 2000] [--processes 8] [--threads 8]
    BENCH_DATABASE_URL=postgresql://user@host/db   (default: TEST_DATABASE_URL or local)
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CATEGORIES = [  # 100 seats, stakeholders at least half (hearing rule)
    {"key": "stakeholder", "label": "利害关系人", "seats": 50, "is_stakeholder": True},
    {"key": "expert", "label": "专家", "seats": 20, "is_stakeholder": False},
    {"key": "deputy", "label": "人大代表", "seats": 10, "is_stakeholder": False},
    {"key": "public", "label": "公众", "seats": 20, "is_stakeholder": False},
]
SHARE = [("stakeholder", 0.6), ("expert", 0.1), ("deputy", 0.05), ("public", 0.25)]


def _app(url: str, threads: int) -> Any:
    from participation import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": threads, "max_overflow": 2},
            "REDIS_URL": "",
            "CELERY_ALWAYS_EAGER": False,  # queued to the in-memory broker, as to Redis
            "RATELIMIT_ENABLED": False,
            "PERIODIC_JOBS": False,
        }
    )


def _client(args: tuple[str, int, list[tuple[str, int, Any]], Any, Any]) -> list[tuple[float, int]]:
    """One 'web process': runs its share of the jobs on its own threads."""
    url, threads, jobs, ready, start = args
    from events.models import Event
    from events.services import applications
    from participation.db import db
    from participation.errors import ServiceError
    from participation.models import User

    app = _app(url, threads)

    def one(job: tuple[str, int, Any]) -> tuple[float, int]:
        kind, user_id, arg = job
        with app.app_context(), app.test_request_context("/"):
            user = db.session.get(User, user_id)
            started = time.perf_counter()
            try:
                if kind == "apply":
                    event = db.session.get(Event, arg[0])
                    applications.apply(
                        user,
                        event,
                        {
                            "category": arg[1],
                            "full_name": user.display_name,
                            "statement": "我对草案有如下几点意见和建议。",
                        },
                    )
                else:
                    applications.withdraw(user, arg)
                db.session.commit()
                status = 200
            except ServiceError as exc:
                db.session.rollback()
                status = exc.status
            finally:
                db.session.remove()
            return time.perf_counter() - started, status

    with app.app_context():
        db.engine.dispose()
    ready.put(os.getpid())
    start.wait()  # every process starts at the same moment
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, jobs))


def _storm(url: str, jobs: list[Any], processes: int, threads: int) -> tuple[float, list[Any]]:
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        ready, start = manager.Queue(), manager.Event()
        shares = [jobs[i::processes] for i in range(processes)]
        with ctx.Pool(processes) as pool:
            pending = pool.map_async(_client, [(url, threads, s, ready, start) for s in shares])
            for _ in range(processes):
                ready.get(timeout=120)  # every process has built its app
            started = time.perf_counter()
            start.set()
            results = [r for part in pending.get() for r in part]
            return time.perf_counter() - started, results


def _ms(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * p))] * 1000


def _setup(url: str, signups: int) -> tuple[int, list[int]]:
    from events.models import EventKind, SelectionMode
    from events.services import manage
    from participation.db import db, utcnow
    from participation.models import Membership, Organization, User

    app = _app(url, 2)
    with app.app_context(), app.test_request_context("/"):
        db.create_all()
        org = Organization(name="山东省生态环境厅")
        organizer = User(email="org@bench", display_name="组织者", password_hash="x")
        db.session.add_all([org, organizer, Membership(user=organizer, organization=org)])
        db.session.flush()
        now = utcnow()
        event = manage.create_event(
            organizer,
            manage.EventData(
                kind=EventKind.hearing, title="基准测试听证会", organization_id=org.id,
                starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=20, hours=3),
                signup_opens_at=now - timedelta(days=1), signup_closes_at=now + timedelta(days=10),
                place="会议室", selection_mode=SelectionMode.first_come,
                selection_rules="先到先得，额满后按报名顺序候补。" * 2, categories=CATEGORIES,
            ),
        )  # fmt: skip
        manage.publish_event(organizer, event)
        rows = [
            {"email": f"u{i}@bench", "display_name": f"报名人{i}", "password_hash": "x"}
            for i in range(signups)
        ]
        db.session.execute(sa.insert(User), rows)
        db.session.commit()
        ids = list(db.session.scalars(sa.select(User.id).where(User.email.like("u%@bench"))))
        event_id = event.id
        db.session.remove()
        db.engine.dispose()
    return event_id, ids


def run(url: str, args: argparse.Namespace) -> int:
    from events.models import SEAT_HOLDING, Application, ApplicationStatus
    from events.tasks import expire_offers
    from participation.db import db, utcnow

    event_id, user_ids = _setup(url, args.signups)
    rng = random.Random(7)
    keys, weights = [k for k, _ in SHARE], [w for _, w in SHARE]
    jobs = [("apply", uid, (event_id, rng.choices(keys, weights)[0])) for uid in user_ids]
    clients = args.processes * args.threads
    rows: list[tuple[str, str]] = []

    elapsed, results = _storm(url, jobs, args.processes, args.threads)
    lat = [r[0] for r in results]
    rows += [
        ("sign-ups", f"{len(jobs)} from {args.processes} processes x {args.threads} threads"),
        ("  wall time", f"{elapsed:.2f} s ({len(jobs) / elapsed:.0f} sign-ups/s)"),
        ("  latency p50 / p95 / max", f"{_ms(lat, .5):.0f} / {_ms(lat, .95):.0f} / "
                                      f"{max(lat) * 1000:.0f} ms"),
        ("  refused", str(dict(Counter(r[1] for r in results if r[1] != 200)) or 0)),
    ]  # fmt: skip

    app = _app(url, 2)
    with app.app_context():
        apps = db.session.scalars(
            sa.select(Application).where(Application.event_id == event_id)
        ).all()
        # A quarter of the withdrawals free seats (offers follow), the rest leave the waitlist.
        holders = [a for a in apps if a.status in SEAT_HOLDING]
        waiting = [a for a in apps if a.status == ApplicationStatus.waitlisted]
        n_held = min(len(holders), args.withdrawals // 4)
        chosen = rng.sample(holders, n_held)
        chosen += rng.sample(waiting, min(len(waiting), args.withdrawals - n_held))
        second = [("withdraw", a.user_id, a.id) for a in chosen]
        second += [("apply", uid, (event_id, "public")) for uid in user_ids[: args.withdrawals]]
        db.session.remove()
    rng.shuffle(second)
    elapsed, results = _storm(url, second, args.processes, args.threads)
    lat = [r[0] for r in results]
    codes = Counter(r[1] for r in results)
    rows += [
        ("withdrawals + duplicate sign-ups", f"{len(chosen)} + {args.withdrawals} at once"),
        ("  wall time", f"{elapsed:.2f} s"),
        ("  latency p50 / p95", f"{_ms(lat, 0.5):.0f} / {_ms(lat, 0.95):.0f} ms"),
        ("  duplicates refused (409)", f"{codes.get(409, 0)} of {args.withdrawals}"),
    ]

    with app.app_context(), app.test_request_context("/"):
        db.session.execute(
            sa.update(Application)
            .where(Application.status == ApplicationStatus.offered)
            .values(offer_expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        started = time.perf_counter()
        expired = expire_offers()
        took = time.perf_counter() - started
        rows.append(("offer expiry job", f"{expired} offers lapsed and passed on in {took:.2f} s"))
        apps = db.session.scalars(
            sa.select(Application).where(Application.event_id == event_id)
        ).all()
        held = Counter(a.category_key for a in apps if a.status in SEAT_HOLDING)
        per_user = Counter(a.user_id for a in apps)
        states = Counter(a.status.value for a in apps)
        dup_positions = []
        for c in CATEGORIES:
            positions = [a.waitlist_position for a in apps if a.category_key == c["key"]]
            positions = [p for p in positions if p is not None]
            if len(positions) != len(set(positions)):
                dup_positions.append(c["key"])
        db.session.remove()
        db.engine.dispose()
    over = {c["key"]: held[c["key"]] for c in CATEGORIES if held[c["key"]] > c["seats"]}
    ok = not over and len(apps) == len(jobs) and max(per_user.values()) == 1 and not dup_positions
    quota = ", ".join(f"{c['key']} {held[c['key']]}/{c['seats']}" for c in CATEGORIES)
    rows += [
        ("seats held / quota", quota),
        ("overbooked categories", str(over or "none")),
        ("applicants / rows / most rows of one person",
         f"{len(jobs)} / {len(apps)} / {max(per_user.values())}"),
        ("final states", ", ".join(f"{k} {v}" for k, v in sorted(states.items()))),
        ("duplicate waitlist positions", str(dup_positions or "none")),
        ("RESULT", "OK" if ok else "FAILED"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    print(f"signup_bench: {clients} concurrent clients on PostgreSQL ({sa.make_url(url).host})")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signups", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--withdrawals", type=int, default=200)
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    url = sa.make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"canyu_bench_{uuid.uuid4().hex[:8]}"  # a private database, dropped afterwards
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        return run(url.set(database=name).render_as_string(hide_password=False), args)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
