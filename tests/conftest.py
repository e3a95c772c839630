"""Shared fixtures: an app per test on SQLite or, when TEST_DATABASE_URL is set, on a
throw-away PostgreSQL database; factories that build data; signed-in clients."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from participation import accounts, batching, create_app
from participation.db import db, utcnow
from participation.models import Membership, Organization, User
from tests.helpers import PASSWORD, login

RUN_ID = uuid.uuid4().hex[:8]


def pytest_configure(config: pytest.Config) -> None:
    # Cheap hashing keeps the suite fast; production parameters are tested separately.
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    os.environ.setdefault("SOCKETIO_ASYNC_MODE", "threading")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private database for this run, so parallel runs never see each other's rows."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = sa.make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"canyu_test_{RUN_ID}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    app = create_app(_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return database_url


def _config(database_url: str, instance: Any = None, **extra: Any) -> dict[str, Any]:
    cfg = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool}
        if database_url.startswith("postgresql")
        else {},
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "PUBLIC_URL": "http://localhost",  # absolute links, whatever Host a test sends
        "REDIS_URL": "",
        "CELERY_ALWAYS_EAGER": True,
        "PERIODIC_JOBS": False,
        "SOCKETIO_ASYNC_MODE": "threading",
    }
    cfg.update(extra)
    return cfg


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change the configuration."""
    return {}


@pytest.fixture
def app(_schema: str, app_config: dict[str, Any]) -> Iterator[Any]:
    app = create_app(_config(_schema, **app_config))
    with app.app_context():
        yield app
        db.session.remove()
        batching.close_all(app)
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


# ---- factories ---------------------------------------------------------------------


@pytest.fixture
def make_org(app: Any) -> Callable[..., Organization]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **kw: Any) -> Organization:
        n = next(counter)
        org = Organization(name=name or f"测试厅{n}", name_en=kw.pop("name_en", f"Dept {n}"), **kw)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app: Any) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        email: str | None = None,
        *,
        org: Organization | None = None,
        admin: bool = False,
        name: str | None = None,
        verified: bool = True,
    ) -> User:
        n = next(counter)
        user = User(
            email=email or f"user{n}@example.org",
            display_name=name or f"用户{n}",
            password_hash=accounts.hash_password(PASSWORD),
            is_admin=admin,
            email_verified_at=utcnow() if verified else None,
        )
        db.session.add(user)
        if org is not None:
            db.session.add(Membership(user=user, organization=org))
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(app: Any) -> Callable[[User], Any]:
    """A fresh test client signed in as the given user."""

    def make(user: User) -> Any:
        return login(app.test_client(), user)

    return make


# ---- real services and real processes ---------------------------------------------


def _need(what: str, env_var: str) -> str:
    value = os.environ.get(env_var)
    if value:
        return value
    message = f"{what} not configured: set {env_var} (as .ci/run does) to run this test"
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _need("Redis", "TEST_REDIS_URL")


@pytest.fixture(scope="session")
def postgres_url(database_url: str) -> str:
    _need("PostgreSQL", "TEST_DATABASE_URL")
    return database_url


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        s.bind(("::", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real platform (gevent, Socket.IO, demo data) in its own process on SQLite."""
    from tests.processes import start_web

    instance = tmp_path_factory.mktemp("live")
    env = {
        "DATABASE_URL": f"sqlite:///{instance / 'live.db'}",
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_ENABLED": "0",
    }
    port = free_port()
    with start_web(port, env, prepare=True) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(path):
        message = "Chromium not installed: apt-get install chromium fonts-noto-cjk"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save a screenshot as a test artifact (test-artifacts/, kept out of git)."""

    def shoot(page: Any, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
