"""Feedback report at scale: one consultation with 100,000 answered comments on PostgreSQL.

Measures, in-process through the WSGI app (no network in the way):
  * publishing version 1 (the entries and figures frozen once), for information;
  * the public report page (frozen figures, a page = a range of entry positions):
    p50/p99 over random pages, target p99 < 300 ms;
  * the CSV export streamed to the end, target < 10 s (and the XLSX for information);
  * the grouping Celery task (run synchronously) on all comments, target < 60 s.

    .venv/bin/python bench/report_scale.py [--n 100000] [--requests 200]

Uses a private database created next to BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from grouping_bench import generate  # noqa: E402

# PostgreSQL's JIT compiles "expensive" plans (cost > 100,000, which any aggregate over
# 100k rows is) at 100-500 ms a query: a loss for short OLTP queries. --jit keeps it on.
ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "connect_args": {"options": "-c jit=off"}}


def private_database(base: str) -> tuple[str, sa.Engine, str]:
    url = sa.make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"canyu_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return url.set(database=name).render_as_string(hide_password=False), admin, name


def drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def populate(n: int) -> int:
    """Bulk insert with SQLAlchemy Core; returns the consultation id."""
    from consultations.models import (
        Article,
        Catalogue,
        Channel,
        Comment,
        CommentGroup,
        Consultation,
        Decision,
        DraftVersion,
        Outcome,
        PublishMode,
        Response,
        ResponseStatus,
    )
    from participation.db import db, utcnow
    from participation.models import Membership, Organization, User

    now = utcnow()
    org = Organization(name="山东省生态环境厅", name_en="Environment")
    drafter = User(email="d@example.cn", display_name="起草")
    approver = User(email="a@example.cn", display_name="审核")
    db.session.add_all([org, drafter, approver])
    db.session.add_all(
        [Membership(user=drafter, organization=org), Membership(user=approver, organization=org)]
    )
    cat = Catalogue(year=now.year, title="目录")
    decision = Decision(catalogue=cat, organization=org, title="大气污染防治条例")
    draft = DraftVersion(decision=decision, version=1, title="征求意见稿", published_at=now)
    for i in range(1, 41):
        draft.articles.append(Article(number=i, label=f"第{i}条", text="条文" * 20))
    consultation = Consultation(
        decision=decision,
        draft=draft,
        title="大气污染防治条例征求意见",
        opens_at=now - timedelta(days=45),
        closes_at=now - timedelta(days=5),
    )
    db.session.add(consultation)
    db.session.commit()
    cid, org_id = consultation.id, org.id
    article_ids = [a.id for a in draft.articles]

    items, label = generate(n, seed=7)
    # One confirmed group per campaign template, answered once.
    group_ids = {}
    for t in sorted(set(label.values())):
        g = CommentGroup(consultation_id=cid, title=f"集中意见{t}", confirmed=True)
        db.session.add(g)
        db.session.flush()
        group_ids[t] = g.id
    db.session.commit()
    rng = random.Random(3)
    channels = list(Channel)
    modes = [PublishMode.named, PublishMode.anonymous, PublishMode.private]
    outcomes = list(Outcome)
    start = now - timedelta(days=45)
    comment_rows = []
    for i, (num, text) in enumerate(items):
        comment_rows.append(
            {
                "receipt_no": f"B{num:09d}",
                "consultation_id": cid,
                "article_id": rng.choice(article_ids) if rng.random() < 0.7 else None,
                "channel": rng.choices(channels, [80] + [2] * (len(channels) - 1))[0],
                "publish_mode": rng.choices(modes, [70, 25, 5])[0],
                "body": text,
                "published_body": text,
                "group_id": group_ids.get(label.get(num)) if num in label else None,
                "submitted_at": start + timedelta(seconds=int(40 * 86400 * i / n)),
                "flagged_words": [],
            }
        )
    with db.engine.begin() as conn:
        for k in range(0, len(comment_rows), 5000):
            conn.execute(sa.insert(Comment), comment_rows[k : k + 5000])
        ungrouped = conn.execute(
            sa.select(Comment.id).where(Comment.consultation_id == cid, Comment.group_id.is_(None))
        ).scalars()
        response_rows = [
            _response(org_id, rng.choice(outcomes), now, comment_id=x) for x in ungrouped
        ]
        response_rows += [
            _response(org_id, Outcome.not_adopted, now, group_id=g) for g in group_ids.values()
        ]
        for k in range(0, len(response_rows), 5000):
            conn.execute(sa.insert(Response), response_rows[k : k + 5000])
        conn.execute(sa.text("ANALYZE"))
    assert ResponseStatus.published.value == "published"
    return cid


def publish(cid: int) -> float:
    """Version 1 through the service: checks, then the 100,000 entries frozen in one
    INSERT ... SELECT and the figures computed from them. Returns seconds."""
    from consultations.models import Consultation
    from consultations.services import editions
    from participation.db import db
    from participation.models import User

    consultation = db.session.get(Consultation, cid)
    drafter = db.session.scalar(sa.select(User).where(User.email == "d@example.cn"))
    t = time.perf_counter()
    editions.publish_report(drafter, consultation, "总结")
    db.session.commit()
    elapsed = time.perf_counter() - t
    db.session.execute(sa.text("ANALYZE report_entries"))
    db.session.commit()
    return elapsed


def _response(org_id, outcome, now, **target):  # noqa: ANN001, ANN202
    from consultations.models import ResponseStatus

    return {
        "comment_id": target.get("comment_id"),
        "group_id": target.get("group_id"),
        "organization_id": org_id,
        "outcome": outcome,
        "reason": "" if outcome.value == "adopted" else "经研究，该建议与上位法规定不一致。",
        "status": ResponseStatus.published,
        "drafted_at": now,
        "approved_at": now,
        "published_at": now,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--jit", action="store_true", help="leave PostgreSQL's JIT on")
    parser.add_argument(
        "--pages-only", action="store_true", help="publish and measure the page, nothing else"
    )
    args = parser.parse_args()
    if args.jit:
        ENGINE_OPTIONS.pop("connect_args")
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    url, admin, name = private_database(base)
    os.environ.setdefault("INSTANCE_PATH", f"/tmp/{name}")
    try:
        from participation import create_app
        from participation.db import db

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SQLALCHEMY_ENGINE_OPTIONS": ENGINE_OPTIONS,
                "RATELIMIT_ENABLED": False,
                "CELERY_ALWAYS_EAGER": True,
                "PERIODIC_JOBS": False,
                "SERVER_NAME": "localhost",
                "SOCKETIO_ASYNC_MODE": "threading",
            }
        )
        results = []
        with app.app_context():
            db.create_all()
            t0 = time.perf_counter()
            cid = populate(args.n)
            setup = time.perf_counter() - t0
            with app.test_request_context("/"):
                publish_s = publish(cid)
            results.append(("publication of version 1 (s, entries frozen)", publish_s, None))
            client = app.test_client()
            pages = max(1, args.n // 50)
            client.get(f"/consultations/{cid}/feedback")  # warm up
            from participation.memory import freeze_startup_objects

            freeze_startup_objects()  # as participation.serve does before serving
            times, cpu = [], []
            rng = random.Random(11)
            for i in range(args.requests):
                page = 1 if i % 4 == 0 else rng.randint(1, pages)
                t, c = time.perf_counter(), time.process_time()
                resp = client.get(f"/consultations/{cid}/feedback?page={page}")
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                assert resp.status_code == 200
            results.append(("report page p50 (ms)", statistics.median(times), None))
            results.append(("report page p99 (ms)", percentile(times, 99), 300))
            # CPU of this process per page: what a busy machine cannot inflate much.
            results.append(("report page web CPU p50 (ms)", statistics.median(cpu), None))
            results.append(("report page web CPU p99 (ms)", percentile(cpu, 99), None))
            if args.pages_only:
                args.skip_rest = True

            if getattr(args, "skip_rest", False):
                db.session.remove()
                db.engine.dispose()
                _print(args.n, setup, results)
                return
            t = time.perf_counter()
            resp = client.get(f"/consultations/{cid}/feedback.csv")
            size = sum(len(chunk) for chunk in resp.response)
            csv_s = time.perf_counter() - t
            results.append((f"CSV export streamed (s, {size / 1e6:.1f} MB)", csv_s, 10))

            t = time.perf_counter()
            resp = client.get(f"/consultations/{cid}/feedback.xlsx")
            xlsx = len(resp.get_data())
            results.append((f"XLSX export (s, {xlsx / 1e6:.1f} MB)", time.perf_counter() - t, None))

            from consultations.models import CommentGroup, GroupingJob
            from consultations.tasks import run_grouping

            # Grouping runs on comments not in a confirmed group: unconfirm them all.
            db.session.execute(sa.update(CommentGroup).values(confirmed=False))
            # The published version refers to those responses: the grouping run that
            # follows is measured on its own, so the version goes first.
            db.session.execute(sa.text("DELETE FROM report_entries"))
            db.session.execute(sa.text("DELETE FROM report_editions"))
            db.session.execute(sa.text("DELETE FROM responses WHERE group_id IS NOT NULL"))
            job = GroupingJob(consultation_id=cid, status="queued")
            db.session.add(job)
            db.session.commit()
            t = time.perf_counter()
            run_grouping(job.id)
            grouping_s = time.perf_counter() - t
            job = db.session.get(GroupingJob, job.id)
            results.append(
                (
                    f"grouping task (s, {job.total} comments -> {job.result['groups']} groups)",
                    grouping_s,
                    60,
                )
            )
            db.session.remove()
            db.engine.dispose()
        _print(args.n, setup, results)
    finally:
        drop_database(admin, name)


def _print(n: int, setup: float, results: list) -> None:
    print(f"\nReport scale benchmark, {n:,} comments (setup {setup:.1f} s)\n")
    print(f"{'measure':<58} {'value':>10} {'target':>8}  ok")
    for label, value, target in results:
        ok = "" if target is None else ("yes" if value < target else "NO")
        tgt = "" if target is None else f"< {target}"
        print(f"{label:<58} {value:>10.2f} {tgt:>8}  {ok}")


if __name__ == "__main__":
    main()
