"""Start real platform processes (web, Celery worker) for integration tests."""

from __future__ import annotations

import contextlib
import os
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


@contextlib.contextmanager
def start_web(port: int, env: dict[str, str], *, prepare: bool = False) -> Iterator[str]:
    if prepare:
        prepare_database(env)
    log = open(Path(env.get("INSTANCE_PATH", "/tmp")) / f"web-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "participation.serve", "--port", str(port), "--quiet"],
        env=_env(env),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def start_worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    log = open(Path(env.get("INSTANCE_PATH", "/tmp")) / "worker.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
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
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
