"""Fan-out of the live Q&A: N viewers on one session, approved questions broadcast.

Measures, in the same run and on the same machine, the real platform (gevent server,
/live namespace, database commit, versioned delta) beside a bare Flask-SocketIO gevent
server that only broadcasts, and reports p50/p99 delivery latency (from the moment the
trigger is sent to the moment a viewer reads the message) and the delivery ratio.

The load generator is separate processes of raw websocket clients on gevent speaking
Engine.IO 4 / Socket.IO 5 (the same frames a browser sends), loopback only.

    .venv/bin/python bench/live_fanout.py --clients 5000 --messages 20

Everything is bounded in time (--timeout) and cleaned up at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "bench-password-1"  # noqa: S105 - throw-away accounts in a temporary database


# --------------------------------------------------------------------------- setup


def setup_database(db_url: str, questions: int, voters: int = 0, approved: bool = False) -> dict:
    """A fresh database: an agency, a moderator, an open day, a live session, pending
    questions to approve, and (for vote_storm) signed-up voters."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = db_url
    from datetime import timedelta

    from events.live.models import LiveSession, Question, QuestionStatus, SessionState
    from events.models import Event, EventKind, EventModerator, EventStatus
    from participation import accounts, create_app
    from participation.db import db, utcnow
    from participation.models import Organization, User

    app = create_app()
    with app.app_context():
        db.create_all()
        now = utcnow()
        org = Organization(name="基准测试厅", name_en="Bench")
        db.session.add(org)
        digest = accounts.hash_password(PASSWORD)
        mod = User(
            email="mod@bench.example.cn",
            display_name="主持",
            password_hash=digest,
            email_verified_at=now,
        )
        db.session.add(mod)
        db.session.flush()
        event = Event(
            kind=EventKind.open_day,
            title="基准开放日",
            organization_id=org.id,
            starts_at=now,
            ends_at=now + timedelta(hours=3),
            signup_opens_at=now - timedelta(days=2),
            signup_closes_at=now - timedelta(days=1),
            status=EventStatus.published,
        )
        db.session.add(event)
        db.session.flush()
        db.session.add(EventModerator(event_id=event.id, user_id=mod.id))
        session = LiveSession(
            event_id=event.id,
            title="基准直播",
            scheduled_at=now,
            state=SessionState.live,
            went_live_at=now,
        )
        db.session.add(session)
        db.session.flush()
        ids = []
        for i in range(questions):
            q = Question(
                session_id=session.id,
                author_id=mod.id,
                author_label="",
                original_body=f"基准问题 {i}",
                body=f"基准问题 {i}",
                published_body=f"基准问题 {i}",
                status=QuestionStatus.approved if approved else QuestionStatus.pending,
            )
            db.session.add(q)
            db.session.flush()
            ids.append(q.id)
        for i in range(voters):
            db.session.add(
                User(
                    email=f"voter{i}@bench.example.cn",
                    display_name=f"投票{i}",
                    password_hash=digest,
                    email_verified_at=now,
                )
            )
        db.session.commit()
        return {"session_id": session.id, "questions": ids}


# --------------------------------------------------------------------------- servers


def bare_server(port: int) -> None:
    """The baseline: Flask-SocketIO on gevent that joins a room and broadcasts."""
    from gevent import monkey

    monkey.patch_all()
    from flask import Flask
    from flask_socketio import SocketIO, join_room

    app = Flask(__name__)
    sio = SocketIO(app, async_mode="gevent", cors_allowed_origins="*", ping_interval=20)

    @sio.on("join", namespace="/live")
    def join(data):  # noqa: ANN001, ANN202
        join_room("room")
        return {"ok": True}

    @sio.on("fire", namespace="/live")
    def fire(data):  # noqa: ANN001, ANN202
        sio.emit(
            "delta",
            {"n": data["n"], "questions": [{"id": data["n"]}]},
            to="room",
            namespace="/live",
        )
        return {"ok": True}

    from gevent.pywsgi import WSGIServer

    WSGIServer(("127.0.0.1", port), app, log=None, backlog=4096).serve_forever()


def start(args: list[str], env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("SOCKETIO_ASYNC_MODE", None)
    return subprocess.Popen(args, env=full_env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def wait_port(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"port {port}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- load


def load_generator(port: int, count: int, session_id: int, status: str, out: str) -> None:
    """count raw Socket.IO clients in one gevent process; record delta arrival times."""
    from gevent import monkey

    monkey.patch_all()
    import gevent
    import websocket
    from gevent.lock import Semaphore

    receipts: dict[str, list[float]] = {}
    state = {"joined": 0, "failed": 0, "counts": 0}
    handshake = Semaphore(64)
    url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
    stop = gevent.event.Event()

    def client(me: int) -> None:
        try:
            with handshake:
                ws = websocket.create_connection(url, timeout=120)
                ws.recv()  # Engine.IO open packet
                ws.send("40/live,")
                ws.recv()  # namespace connected
                ws.send(f'42/live,1["join",{{"session_id":{session_id}}}]')
        except Exception:
            state["failed"] += 1
            return
        while not stop.is_set():
            try:
                msg = ws.recv()
            except Exception:
                return
            now = time.time()
            if msg == "2":
                ws.send("3")
            elif msg.startswith("43/live,1"):
                state["joined"] += 1
            elif msg.startswith('42/live,["delta"'):
                payload = json.loads(msg[8:])[1]
                key = str(payload["questions"][0]["id"]) if payload.get("questions") else "?"
                receipts.setdefault(key, []).append(now)
            elif msg.startswith('42/live,["counts"'):
                state["counts"] += 1
                at = json.loads(msg[8:])[1].get("at")  # the server's flush time
                receipts.setdefault(f"counts:{me}", []).append(at / 1000 if at else now)

    def report() -> None:
        while not stop.is_set():
            Path(status).write_text(json.dumps(state))
            gevent.sleep(0.5)

    def finish(*_: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, finish)
    greenlets = [gevent.spawn(client, i) for i in range(count)]
    gevent.spawn(report)
    stop.wait()
    Path(out).write_text(json.dumps({"state": state, "receipts": receipts}))
    gevent.killall(greenlets, block=False)
    os._exit(0)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def run_load(
    port: int,
    clients: int,
    procs: int,
    session_id: int,
    tmp: Path,
    tag: str,
    trigger,
    messages: int,
    interval: float,
    timeout: float,
) -> dict:  # noqa: ANN001
    """Connect the viewers, fire the messages, collect and summarise the receipts."""
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    gens = []
    for i, n in enumerate(per):
        status, out = tmp / f"{tag}-{i}.status", tmp / f"{tag}-{i}.json"
        gens.append(
            (
                start(
                    [
                        PY,
                        __file__,
                        "--load",
                        str(port),
                        str(n),
                        str(session_id),
                        str(status),
                        str(out),
                    ]
                ),
                status,
                out,
            )
        )
    t_connect = time.monotonic()
    deadline = t_connect + timeout
    joined = 0
    while time.monotonic() < deadline:
        joined = 0
        for _, status, _ in gens:
            with contextlib.suppress(OSError, ValueError):
                joined += json.loads(status.read_text())["joined"]
        if joined >= clients:
            break
        time.sleep(0.5)
    connect_seconds = time.monotonic() - t_connect
    time.sleep(2)  # let join-time counts broadcasts settle
    sent: dict[str, float] = {}
    for i in range(messages):
        key, t0 = trigger(i)
        sent[str(key)] = t0
        time.sleep(interval)
    time.sleep(5)
    results = []
    for proc, _, _out in gens:
        proc.send_signal(signal.SIGTERM)
    for proc, _, out in gens:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        try:
            results.append(json.loads(out.read_text()))
        except (OSError, ValueError):
            results.append({"state": {}, "receipts": {}})
    latencies: list[float] = []
    delivered = 0
    for r in results:
        for key, times in r["receipts"].items():
            if key in sent:
                delivered += len(times)
                latencies += [(t - sent[key]) * 1000 for t in times]
    return {
        "clients": clients,
        "joined": joined,
        "connect_seconds": round(connect_seconds, 1),
        "messages": messages,
        "delivered": delivered,
        "delivery_ratio": round(delivered / (clients * messages), 4),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


# --------------------------------------------------------------------------- driver


def moderator_client(base: str):  # noqa: ANN201
    sys.path.insert(0, str(ROOT))
    import socketio

    from tests.events.live.protocol import USER_AGENT, signed_in_cookie

    cookie, _ = signed_in_cookie(base, "mod@bench.example.cn", PASSWORD)
    client = socketio.Client(reconnection=False)
    client.connect(
        base,
        namespaces=["/live"],
        transports=["websocket"],
        headers={"Cookie": cookie, "User-Agent": USER_AGENT},
    )
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--timeout", type=float, default=240, help="seconds to connect")
    parser.add_argument("--only", choices=["bare", "platform"], default=None)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="live-fanout-"))
    report: dict = {}
    procs: list[subprocess.Popen] = []
    try:
        if args.only != "platform":
            port = free_port()
            procs.append(start([PY, __file__, "--bare-server", str(port)], log=tmp / "bare.log"))
            wait_port(port)
            import socketio

            driver = socketio.Client(reconnection=False)
            driver.connect(
                f"http://127.0.0.1:{port}", namespaces=["/live"], transports=["websocket"]
            )

            def fire_bare(i: int) -> tuple[int, float]:
                t0 = time.time()
                driver.call("fire", {"n": 100000 + i}, namespace="/live", timeout=60)
                return 100000 + i, t0

            report["bare"] = run_load(
                port,
                args.clients,
                args.procs,
                1,
                tmp,
                "bare",
                fire_bare,
                args.messages,
                args.interval,
                args.timeout,
            )
            driver.disconnect()
            procs.pop().terminate()

        if args.only != "bare":
            db_url = f"sqlite:///{tmp / 'live.db'}"
            info = json.loads(
                subprocess.check_output(
                    [PY, __file__, "--setup", db_url, str(args.messages)],
                    cwd=ROOT,
                    env={**os.environ, "INSTANCE_PATH": str(tmp)},
                )
            )
            port = free_port()
            env = {
                "DATABASE_URL": db_url,
                "INSTANCE_PATH": str(tmp),
                "RATELIMIT_ENABLED": "0",
                "PERIODIC_JOBS": "0",
                "REDIS_URL": "",
                "LIVE_EVENT_BURST": "1000",
            }
            procs.append(
                start(
                    [
                        PY,
                        "-m",
                        "participation.serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--quiet",
                        "--no-periodic",
                    ],
                    env,
                    log=tmp / "platform.log",
                )
            )
            wait_port(port)
            base = f"http://127.0.0.1:{port}"
            # Connected only once the viewers are in: an idle client could miss its
            # pings while the server is busy with thousands of handshakes.
            holder: dict = {}

            def moderator():  # noqa: ANN202
                if "mod" not in holder:
                    holder["mod"] = moderator_client(base)
                    holder["mod"].call(
                        "join",
                        {"session_id": info["session_id"], "moderator": True},
                        namespace="/live",
                        timeout=60,
                    )
                return holder["mod"]

            qids = info["questions"]

            def approve(i: int) -> tuple[int, float]:
                mod = moderator()
                t0 = time.time()
                ack = mod.call(
                    "moderate",
                    {"action": "approve", "question_id": qids[i], "rev": 1},
                    namespace="/live",
                    timeout=60,
                )
                if not ack.get("ok"):
                    print("approve failed:", ack, file=sys.stderr)
                return qids[i], t0

            report["platform"] = run_load(
                port,
                args.clients,
                args.procs,
                info["session_id"],
                tmp,
                "platform",
                approve,
                args.messages,
                args.interval,
                args.timeout,
            )
            holder["mod"].disconnect()
        if "bare" in report and "platform" in report:
            report["p99_ratio"] = round(report["platform"]["p99_ms"] / report["bare"]["p99_ms"], 2)
            report["p50_ratio"] = round(report["platform"]["p50_ms"] / report["bare"]["p50_ms"], 2)
        print(json.dumps(report, indent=2))
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--bare-server":
        bare_server(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--load":
        load_generator(
            int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
        )
    elif len(sys.argv) > 1 and sys.argv[1] == "--setup":
        voters = int(sys.argv[4]) if len(sys.argv) > 4 else 0
        approved = len(sys.argv) > 5 and sys.argv[5] == "approved"
        print(json.dumps(setup_database(sys.argv[2], int(sys.argv[3]), voters, approved)))
    else:
        main()
