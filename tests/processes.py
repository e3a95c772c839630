"""Start real platform processes (web, Celery worker) for integration tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
    env.pop("SOCKETIO_ASYNC_MODE", None)  # real processes run gevent
    env.update({"PYTHONUNBUFFERED": "1", "PERIODIC_JOBS": "0"})
    env.update(extra)
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Schema and demo data for a fresh database, as `make run` would."""
    code = (
        "from participation import create_app\n"
        "from participation.db import db\n"
        "from participation import demo\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    demo.load()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=_env(env), cwd=ROOT, check=True, timeout=300)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def spawn_web(port: int, env: dict[str, str]) -> subprocess.Popen:
    """A gevent web process on port, its log appended to INSTANCE_PATH/web-<port>.log."""
    with open(Path(env.get("INSTANCE_PATH", "/tmp")) / f"web-{port}.log", "a") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "participation.serve", "--port", str(port), "--quiet"],
            env=_env(env),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def start_web(port: int, env: dict[str, str], *, prepare: bool = False) -> Iterator[str]:
    if prepare:
        prepare_database(env)
    proc = spawn_web(port, env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url, proc)
        yield url
    finally:
        stop(proc)


def spawn_worker(env: dict[str, str]) -> subprocess.Popen:
    """A Celery worker (solo pool) on CELERY_QUEUE, its log appended to worker.log."""
    with open(Path(env.get("INSTANCE_PATH", "/tmp")) / "worker.log", "a") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "wsgi.celery",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "-Q",
                env["CELERY_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=_env(env),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@contextlib.contextmanager
def start_worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    proc = spawn_worker(env)
    try:
        yield proc
    finally:
        stop(proc, 15)


# ---- private PostgreSQL and Redis, to kill and restart without touching shared ones ----


def _pg_bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_fault_binaries() -> str | None:
    """Why the private services cannot start here, or None when they can."""
    if _pg_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not installed"
    if shutil.which("redis-server") is None:
        return "redis-server not installed"
    return None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on its own port and socket directory.

    Run as root, the server must belong to another account: the cluster is created and
    run as `postgres` through runuser.
    """

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.data = root / "data"
        self.bindir = _pg_bindir()
        assert self.bindir is not None, missing_fault_binaries()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self._as, str(self.bindir / args[0]), *args[1:]],
            check=check,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def init(self) -> PrivatePostgres:
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N")
        return self

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.root} -h 127.0.0.1 -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "pg.log"),
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash as far as clients can tell: no goodbye, recovery on start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)


class PrivateRedis:
    """A redis-server without persistence: a restart empties it, as a crash would."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "redis.log", "a") as log:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.root)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn,
            ):
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise TimeoutError(f"redis on {self.port}")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


def wait_worker_ready(
    env: dict[str, str], proc: subprocess.Popen, offset: int = 0, timeout: float = 120
) -> None:
    """Until the worker's log (past offset) says it consumes: a worker started after a
    kill must be up before anything can be said about what it does."""
    log = Path(env.get("INSTANCE_PATH", "/tmp")) / "worker.log"
    start = offset
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"worker exited with {proc.returncode}")
        with open(log, "rb") as f:
            f.seek(start)
            if b" ready." in f.read():
                return
        time.sleep(0.2)
    raise TimeoutError("celery worker not ready")
