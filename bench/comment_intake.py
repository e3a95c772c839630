"""Comment intake on PostgreSQL: the real platform vs a bare Flask + SQLAlchemy insert.

200 concurrent clients (threads, keep-alive http.client, loopback only) post comments
through POST /api/v1/consultations/<id>/comments with personal tokens to
  1. the platform, started as `python -m participation.serve` (gevent), and
  2. bench/bare_insert_app.py (one INSERT per POST, same gevent server),
each on its own private database, for a bounded number of requests per client. Both
servers stay up and are driven in alternating rounds, so a slow spell of a shared
machine falls on both sides.

Reports comments/s (median of rounds), p50/p99 latency, the ratio platform/bare per
round and its median (target >= 0.7), and an exactly-once check over all rounds: rows
stored == 201 responses, no duplicate receipts, every returned receipt stored.

    .venv/bin/python bench/comment_intake.py [--clients 200] [--per-client 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from report_scale import drop_database, private_database  # noqa: E402

BODIES = [
    "建议在老旧小区增设公共充电桩，并明确消防安全管理责任。",
    "建议公开每一个施工工地的扬尘监测数据，接受社会监督。",
    "建议延长夜间公交运营时间，方便下夜班的职工回家。",
    "建议对餐饮油烟排放设置更严格的标准并加强日常检查。",
    "建议把学校周边道路纳入重点整治范围，保障学生出行安全。",
]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_platform(url: str, clients: int, instance: str) -> tuple[int, list[str]]:
    """Schema, an open consultation and one user with a personal token per client."""
    os.environ["INSTANCE_PATH"] = instance
    from consultations.models import Catalogue, Consultation, Decision, DraftVersion
    from participation import create_app
    from participation.db import db, utcnow
    from participation.models import Organization, User

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "SOCKETIO_ASYNC_MODE": "threading",
        }
    )
    tokens = []
    with app.app_context():
        db.create_all()
        now = utcnow()
        org = Organization(name="山东省生态环境厅")
        decision = Decision(
            catalogue=Catalogue(year=now.year, title="目录"), organization=org, title="条例"
        )
        draft = DraftVersion(decision=decision, version=1, title="征求意见稿", published_at=now)
        consultation = Consultation(
            decision=decision,
            draft=draft,
            title="征求意见",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=30),
        )
        db.session.add(consultation)
        for i in range(clients):
            token = f"cy_bench{i:04d}_{uuid.uuid4().hex}"
            db.session.add(
                User(
                    email=f"bench{i}@example.cn",
                    display_name=f"测试{i}",
                    api_token_hash=hashlib.sha256(token.encode()).hexdigest(),
                    email_verified_at=now,
                )
            )
            tokens.append(token)
        db.session.commit()
        cid = consultation.id
        db.session.remove()
        db.engine.dispose()
    return cid, tokens


def _cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process so far (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy so far (Linux /proc/stat: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pids: list[int]) -> dict[str, float]:
    """CPU seconds used so far by the web processes, this load generator and the machine.

    PostgreSQL is counted within the machine's total, not per process: backends that a
    pool opens and closes during a round would be missed.
    """
    me = os.times()
    return {
        "server": sum(_cpu_seconds(p) for p in server_pids),
        "client": me.user + me.system,
        "machine": _machine_busy_seconds(),
    }


SERVER_PIDS: dict[int, int] = {}  # port -> pid of the web process serving it


@contextlib.contextmanager
def serve(cmd: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    out = open(log, "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    SERVER_PIDS[port] = proc.pid
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited, see {log}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()


@contextlib.contextmanager
def serve_many(
    make_cmd: Callable[[int], list[str]], env: dict[str, str], n: int, instance: str, name: str
) -> Iterator[list[int]]:
    """n web processes of one side, each on its own port."""
    with contextlib.ExitStack() as stack:
        ports = []
        for k in range(n):
            port = _free_port()
            stack.enter_context(serve(make_cmd(port), env, port, Path(instance) / f"{name}{k}.log"))
            ports.append(port)
        yield ports


def drive(ports: list[int], cid: int, tokens: list[str], per_client: int) -> dict:
    """Every client posts per_client comments on one keep-alive connection.

    With several web processes (one port each) clients are spread round-robin over
    them, as nginx spreads connections over one process per core in production.
    """
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    receipts: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(len(tokens))
    path = f"/api/v1/consultations/{cid}/comments"

    def client(i: int, token: str) -> None:
        port = ports[i % len(ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine_lat, mine_status, mine_receipts = [], [], []
        start_gate.wait()
        for n in range(per_client):
            body = json.dumps({"body": f"{BODIES[(i + n) % len(BODIES)]}（第{n + 1}条，客户{i}）"})
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            t = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status, data = 0, b""
            mine_lat.append((time.perf_counter() - t) * 1000)
            mine_status.append(status)
            if status == 201:
                mine_receipts.append(json.loads(data)["receipt_no"])
        conn.close()
        with lock:
            latencies.extend(mine_lat)
            for s in mine_status:
                statuses[s] = statuses.get(s, 0) + 1
            receipts.extend(mine_receipts)

    threads = [threading.Thread(target=client, args=(i, t)) for i, t in enumerate(tokens)]
    server_pids = [SERVER_PIDS[p] for p in ports]
    cpu0 = cpu_snapshot(server_pids)
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    cpu1 = cpu_snapshot(server_pids)
    done = max(1, len(latencies))
    ordered = sorted(latencies)
    return {
        # CPU microseconds per request, by who spent them (PostgreSQL: all its processes)
        "cpu_us": {k: (cpu1[k] - cpu0[k]) / done * 1e6 for k in cpu0},
        "elapsed": elapsed,
        "created": statuses.get(201, 0),
        "statuses": statuses,
        "rate": statuses.get(201, 0) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(0.99 * (len(ordered) - 1)))],
        "receipts": receipts,
        "latencies": ordered,
    }


def check_exactly_once(url: str, table: str, cid: int, run: dict) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows, distinct = conn.execute(
            sa.text(
                f"SELECT count(*), count(DISTINCT receipt_no) FROM {table} "
                "WHERE consultation_id = :cid"
            ),
            {"cid": cid},
        ).one()
        stored = set(
            conn.execute(
                sa.text(f"SELECT receipt_no FROM {table} WHERE consultation_id = :cid"),
                {"cid": cid},
            ).scalars()
        )
    engine.dispose()
    returned = run["receipts"]
    ok = (
        rows == run["created"] == len(returned)
        and distinct == rows
        and len(set(returned)) == len(returned)
        and set(returned) <= stored
    )
    return f"{'OK' if ok else 'FAILED'}: {rows} rows, {distinct} distinct, {run['created']} x 201"


def _purge_queue(redis_url: str, queue: str) -> None:
    if not redis_url:
        return
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)
    client.delete(queue)


def _summary(runs: list[dict]) -> dict:
    latencies = sorted(x for r in runs for x in r["latencies"])
    statuses: dict[int, int] = {}
    for r in runs:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "created": sum(r["created"] for r in runs),
        "statuses": statuses,
        "receipts": [x for r in runs for x in r["receipts"]],
        "rate": statistics.median(r["rate"] for r in runs),
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(0.99 * (len(latencies) - 1)))],
        "cpu_us": {k: statistics.median(r["cpu_us"][k] for r in runs) for k in runs[0]["cpu_us"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument(
        "--web-processes",
        type=int,
        default=1,
        help="web processes per side (one port each, clients spread round-robin)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternating rounds (platform then bare, then bare then platform, ...); "
        "the ratio is the median of the rounds' ratios, so a slow spell of a shared "
        "machine hits both sides",
    )
    args = parser.parse_args()
    base = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    plat_url, admin, plat_db = private_database(base)
    bare_url, admin2, bare_db = private_database(base)
    instance = f"/tmp/{plat_db}"
    Path(instance).mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict]] = {"platform": [], "bare": []}
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        cid, tokens = prepare_platform(plat_url, args.clients, instance)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "DATABASE_URL": plat_url,
                "INSTANCE_PATH": instance,
                "RATELIMIT_ENABLED": "0",
                "PERIODIC_JOBS": "0",
                # As in production: Celery tasks (receipt mails) go to Redis, not run
                # inside the request. A private queue that no worker reads, purged after.
                "REDIS_URL": redis_url,
                "CELERY_QUEUE": f"bench-{plat_db}",
                "SOCKETIO_CHANNEL": f"bench-{plat_db}",
            }
        )
        env.pop("SOCKETIO_ASYNC_MODE", None)
        bare_env = {**env, "DATABASE_URL": bare_url}

        def platform_cmd(port: int) -> list[str]:
            return [
                sys.executable,
                "-m",
                "participation.serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--quiet",
                "--no-periodic",
            ]

        def bare_cmd(port: int) -> list[str]:
            return [sys.executable, str(ROOT / "bench" / "bare_insert_app.py"), "--port", str(port)]

        with (
            serve_many(platform_cmd, env, args.web_processes, instance, "platform") as plat_ports,
            serve_many(bare_cmd, bare_env, args.web_processes, instance, "bare") as bare_ports,
        ):
            ports = {"platform": plat_ports, "bare": bare_ports}
            for r in range(args.rounds):
                order = ("platform", "bare") if r % 2 == 0 else ("bare", "platform")
                for name in order:
                    runs[name].append(drive(ports[name], cid, tokens, args.per_client))
                print(
                    f"round {r + 1}: platform {runs['platform'][-1]['rate']:.1f}/s, "
                    f"bare {runs['bare'][-1]['rate']:.1f}/s, "
                    f"ratio {runs['platform'][-1]['rate'] / runs['bare'][-1]['rate']:.2f}",
                    flush=True,
                )
        results = {name: _summary(rs) for name, rs in runs.items()}
        results["platform"]["check"] = check_exactly_once(
            plat_url, "comments", cid, results["platform"]
        )
        results["bare"]["check"] = check_exactly_once(
            bare_url, "bare_comments", cid, results["bare"]
        )
    finally:
        _purge_queue(redis_url, f"bench-{plat_db}")
        drop_database(admin, plat_db)
        drop_database(admin2, bare_db)

    total = args.clients * args.per_client
    print(
        f"\nComment intake, PostgreSQL, {args.clients} concurrent clients, {args.rounds} rounds "
        f"of {total} posts each side, {args.web_processes} web process(es) each\n"
    )
    print(
        f"{'endpoint':<10} {'median/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'201s':>6}  "
        f"statuses / exactly-once"
    )
    for name in ("platform", "bare"):
        r = results[name]
        print(
            f"{name:<10} {r['rate']:>9.1f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{r['created']:>6}  {r['statuses']} / {r['check']}"
        )
    print("\nCPU microseconds per request (median of rounds), on the same machine:")
    print(f"{'endpoint':<10} {'web':>7} {'client':>7} {'rest':>7} {'machine':>8}")
    for name in ("platform", "bare"):
        cpu = results[name]["cpu_us"]
        rest = cpu["machine"] - cpu["server"] - cpu["client"]  # PostgreSQL, Redis, kernel
        print(
            f"{name:<10} {cpu['server']:>7.0f} {cpu['client']:>7.0f} {rest:>7.0f} "
            f"{cpu['machine']:>8.0f}"
        )
    ratios = [p["rate"] / b["rate"] for p, b in zip(runs["platform"], runs["bare"], strict=True)]
    print(
        f"\nratio platform / bare per round: {' '.join(f'{x:.2f}' for x in ratios)}; "
        f"median {statistics.median(ratios):.2f} (target >= 0.7)"
    )


if __name__ == "__main__":
    main()
