"""A vote storm on one live session: about 500 votes a second from 100 signed-in
residents while 200 viewers watch. Shows that the `counts` broadcast rate stays bounded
(at most 1 / LIVE_FLUSH_INTERVAL per room, 2/s by default) whatever the click rate, and
measures the vote acknowledgement latency.

    .venv/bin/python bench/vote_storm.py --rate 500 --seconds 10
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from live_fanout import (  # noqa: E402
    PASSWORD,
    PY,
    ROOT,
    free_port,
    percentile,
    start,
    wait_port,
)


def _votes_in_database(db_url: str, qids: list[int]) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    query = sa.text("SELECT count(*) FROM live_question_votes WHERE question_id IN :ids")
    with engine.connect() as conn:
        n = conn.execute(
            query.bindparams(sa.bindparam("ids", expanding=True)), {"ids": qids}
        ).scalar()
    engine.dispose()
    return int(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=500, help="votes per second, total")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--voters", type=int, default=100)
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--processes", type=int, default=1, help="web processes (needs --redis)")
    parser.add_argument("--redis", default="", help="Redis URL: rooms and ticks across processes")
    parser.add_argument(
        "--postgres",
        default="",
        help="a PostgreSQL server URL; a throw-away database is created on it",
    )
    args = parser.parse_args()

    import socketio

    from tests.events.live.protocol import USER_AGENT, signed_in_cookie

    tmp = Path(tempfile.mkdtemp(prefix="vote-storm-"))
    db_url = f"sqlite:///{tmp / 'live.db'}"
    admin = None
    if args.postgres:
        import sqlalchemy as sa

        base_url = sa.make_url(args.postgres.replace("postgresql://", "postgresql+psycopg://"))
        name = f"canyu_vote_storm_{os.getpid()}"
        admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        db_url = base_url.set(database=name).render_as_string(hide_password=False)
    fanout = str(Path(__file__).resolve().parent / "live_fanout.py")
    info = json.loads(
        subprocess.check_output(
            [PY, fanout, "--setup", db_url, str(args.questions), str(args.voters), "approved"],
            cwd=ROOT,
            env={**os.environ, "INSTANCE_PATH": str(tmp)},
        )
    )
    run = os.getpid()
    env = {
        "DATABASE_URL": db_url,
        "INSTANCE_PATH": str(tmp),
        "RATELIMIT_ENABLED": "0",
        "PERIODIC_JOBS": "0",
        "REDIS_URL": args.redis,
        "SOCKETIO_CHANNEL": f"vote-storm-{run}",
        "CELERY_QUEUE": f"vote-storm-{run}",
        "SECRET_KEY": f"vote-storm-{run}",
    }
    ports = [free_port() for _ in range(args.processes)]
    servers = [
        start(
            [
                PY,
                "-m",
                "participation.serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(p),
                "--quiet",
                "--no-periodic",
            ],
            env,
            log=tmp / f"server-{p}.log",
        )
        for p in ports
    ]
    port = ports[0]
    watchers = None
    voters: list = []
    try:
        for p in ports:
            wait_port(p)
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        sid, qids = info["session_id"], info["questions"]
        status, out = tmp / "w.status", tmp / "w.json"
        watchers = start(
            [PY, fanout, "--load", str(port), str(args.viewers), str(sid), str(status), str(out)]
        )
        for i in range(args.voters):
            base = bases[i % len(bases)]  # voters spread over the processes
            cookie, _ = signed_in_cookie(base, f"voter{i}@bench.example.cn", PASSWORD)
            c = socketio.Client(reconnection=False)
            c.connect(
                base,
                namespaces=["/live"],
                transports=["websocket"],
                headers={"Cookie": cookie, "User-Agent": USER_AGENT},
            )
            voters.append(c)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if json.loads(status.read_text())["joined"] >= args.viewers:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.3)
        time.sleep(2)

        per_voter = args.rate / args.voters
        acks: list[float] = []
        sent = [0]
        errors: list[str] = []
        lock = threading.Lock()
        t_start = time.time()
        t_end = t_start + args.seconds

        final: dict[tuple[int, int], bool] = {}  # (voter, question) -> last acked state

        def storm(client, seed: int) -> None:  # noqa: ANN001
            rnd = random.Random(seed)
            voted: set[int] = set()
            next_at = time.time() + rnd.random() / per_voter
            while next_at < t_end:
                time.sleep(max(0.0, next_at - time.time()))
                qid = rnd.choice(qids)
                on = qid not in voted
                t0 = time.time()

                def done(ack, t0=t0, key=(seed, qid)):  # noqa: ANN001, ANN202 - open loop
                    with lock:
                        if ack and ack.get("ok"):
                            acks.append((time.time() - t0) * 1000)
                            final[key] = ack["voted"]
                        else:
                            errors.append(str(ack))

                client.emit(
                    "vote", {"question_id": qid, "on": on}, namespace="/live", callback=done
                )
                sent[0] += 1
                (voted.add if on else voted.discard)(qid)
                next_at += 1 / per_voter

        threads = [threading.Thread(target=storm, args=(c, i)) for i, c in enumerate(voters)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - t_start
        drain = time.time() + 120
        while len(acks) + len(errors) < sent[0] and time.time() < drain:
            time.sleep(0.2)
        drained = time.time() - t_start
        time.sleep(2)
        in_database = _votes_in_database(db_url, qids)
        watchers.send_signal(signal.SIGTERM)
        watchers.wait(30)
        data = json.loads(out.read_text())
        # counts events per viewer, by the server's flush time, while votes were processed
        per_client = [
            [t for t in times if t_start <= t <= t_start + drained]
            for key, times in data["receipts"].items()
            if key.startswith("counts:")
        ]
        rates = [len(ts) / drained for ts in per_client]
        worst_window = 0
        for ts in per_client:
            ts.sort()
            j = 0
            for i in range(len(ts)):
                while ts[i] - ts[j] >= 1.0:
                    j += 1
                worst_window = max(worst_window, i - j + 1)
        report = {
            "target_votes_per_second": args.rate,
            "votes_sent": sent[0],
            "send_seconds": round(elapsed, 1),
            "votes_acked": len(acks),
            "vote_errors": len(errors),
            "first_errors": errors[:3],
            "offered_votes_per_second": round(sent[0] / elapsed, 1),
            "processed_votes_per_second": round(len(acks) / drained, 1),
            "vote_ack_p50_ms": round(percentile(acks, 50), 1),
            "vote_ack_p99_ms": round(percentile(acks, 99), 1),
            "viewers": args.viewers,
            "viewers_receiving_counts": len(per_client),
            "counts_per_viewer_per_second_mean": round(sum(rates) / max(1, len(rates)), 2),
            "counts_max_in_any_1s_window": worst_window,
            "counts_bound_per_second": 2,
            "broadcasts_without_coalescing_would_be_per_second": round(len(acks) / drained),
            # Acknowledged votes are written in batches: all must be in the database.
            "votes_expected_in_database": sum(final.values()),
            "votes_in_database": in_database,
            "database": "postgresql" if args.postgres else "sqlite",
            "web_processes": args.processes,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    finally:
        # Servers first: a voter's disconnect otherwise waits for its reader thread, one
        # at a time (about 5 minutes for 20 voters); with the servers gone they return.
        if watchers and watchers.poll() is None:
            watchers.kill()
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        closers = [threading.Thread(target=_quietly_disconnect, args=(c,)) for c in voters]
        for t in closers:
            t.start()
        for t in closers:
            t.join(5)
        if admin is not None:
            import sqlalchemy as sa

            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _quietly_disconnect(client) -> None:  # noqa: ANN001
    with contextlib.suppress(Exception):  # best effort at exit
        client.disconnect()


if __name__ == "__main__":
    main()
