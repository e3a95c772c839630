"""Configuration from the environment, with embedded defaults that need no services."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _secret_key() -> str:
    # A stable per-installation key so sessions survive restarts of `make run`.
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


class Config:
    """Read once when create_app runs, never at import time of a feature."""

    def __init__(self) -> None:
        env = os.environ.get
        self.SECRET_KEY = _secret_key()
        self.SQLALCHEMY_DATABASE_URI = _normalise_db_url(
            env("DATABASE_URL", f"sqlite:///{INSTANCE / 'canyu.db'}")
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.REDIS_URL = env("REDIS_URL", "")
        self.SITE_NAME = env("SITE_NAME", "")
        # "production" refuses to start without an https PUBLIC_URL, accepts only its
        # host, sends Secure cookies and HSTS (participation.public_url.configure).
        self.DEPLOYMENT = env("DEPLOYMENT", "embedded")
        production = self.DEPLOYMENT == "production"
        # Every absolute link (mails, feeds, OpenAPI, presenter screen) is built from it.
        self.PUBLIC_URL = env("PUBLIC_URL", "" if production else "http://localhost:5000")
        hosts = [h.strip() for h in env("TRUSTED_HOSTS", "").split(",") if h.strip()]
        self.TRUSTED_HOSTS = hosts or None  # production: the host of PUBLIC_URL
        # Peers whose X-Forwarded-For/-Proto are believed (participation.proxies).
        self.TRUSTED_PROXIES = [
            p.strip() for p in env("TRUSTED_PROXIES", "").split(",") if p.strip()
        ]
        # Socket.IO: explicit allowed origins; the public URL plus local development.
        origins = env("ALLOWED_ORIGINS", "")
        self.ALLOWED_ORIGINS = [o for o in origins.split(",") if o] or [
            self.PUBLIC_URL,
            *(
                []
                if production
                else ["http://localhost:5000", "http://127.0.0.1:5000", "http://[::1]:5000"]
            ),
        ]
        self.BABEL_DEFAULT_LOCALE = "zh"
        self.BABEL_DEFAULT_TIMEZONE = env("TIMEZONE", "Asia/Shanghai")
        self.LANGUAGES = ["zh", "en"]
        self.WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE  # production: always
        # "Stay signed in" (participation.signin): days from the sign-in, and how long a
        # replaced token still works for requests the browser sent at the same moment.
        self.REMEMBER_DAYS = int(env("REMEMBER_DAYS", "30"))
        self.REMEMBER_ROTATION_GRACE_SECONDS = 30
        self.HSTS_SECONDS = int(env("HSTS_SECONDS", str(365 * 86400)))  # production only
        self.MAX_CONTENT_LENGTH = int(env("MAX_CONTENT_LENGTH", str(8 * 1024 * 1024)))
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        # Fail safe when Redis is down: the same limits, counted per process in memory,
        # instead of a 500 on every write (docs/deploy.md, "Faults").
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.WRITE_RATE_LIMIT = env("WRITE_RATE_LIMIT", "30 per minute;300 per hour")
        # Per client address: failed sign-ins; reset and registration requests.
        self.LOGIN_RATE_LIMIT = env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
        # Per account (the email submitted), from any address: the same three.
        self.ACCOUNT_RATE_LIMIT = env("ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour")
        self.RATELIMIT_HEADER_RETRY_AFTER_VALUE = "delta-seconds"
        # Separate names let several installations (or test runs) share one Redis.
        self.SOCKETIO_CHANNEL = env("SOCKETIO_CHANNEL", "canyu-socketio")
        self.CELERY_QUEUE = env("CELERY_QUEUE", "canyu")
        self.CELERY_ALWAYS_EAGER = not self.REDIS_URL or _bool("CELERY_ALWAYS_EAGER", False)
        self.MAIL_SERVER = env("MAIL_SERVER", "")
        self.MAIL_PORT = int(env("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = env("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env("MAIL_PASSWORD", "")
        self.MAIL_SENDER = env("MAIL_SENDER", "noreply@canyu.localhost")
        self.SENSITIVE_WORDS_FILE = env("SENSITIVE_WORDS_FILE", "")
        self.PERIODIC_JOBS = _bool("PERIODIC_JOBS", True)
        # Faults (docs/deploy.md): mail still queued this long is queued again; a grouping
        # job without a heartbeat this long is failed so it can be run again.
        self.OUTBOX_RESEND_SECONDS = int(env("OUTBOX_RESEND_SECONDS", "300"))
        self.GROUPING_STALE_SECONDS = int(env("GROUPING_STALE_SECONDS", "600"))
        self.FEATURES = [f for f in env("FEATURES", "consultations,events").split(",") if f]
        # Local numbers of the legal rules (DOMAIN.md), configurable per province.
        self.MIN_COMMENT_DAYS = int(env("MIN_COMMENT_DAYS", "30"))
        self.FEEDBACK_WORKDAYS = int(env("FEEDBACK_WORKDAYS", "20"))
        self.HEARING_STAKEHOLDER_SHARE = float(env("HEARING_STAKEHOLDER_SHARE", "0.5"))
        self.HEARING_MATERIALS_DAYS = int(env("HEARING_MATERIALS_DAYS", "7"))
        self.WRITTEN_ANSWER_WORKDAYS = int(env("WRITTEN_ANSWER_WORKDAYS", "5"))
        # PostgreSQL: API comments arriving together are stored by one INSERT
        # (participation.batching); 0 stores each by its own.
        self.COMMENT_GROUP_INSERTS = _bool("COMMENT_GROUP_INSERTS", True)
        self.TESTING = False

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k.isupper()}


def _normalise_db_url(url: str) -> str:
    # Accept the common postgres:// and postgresql:// forms; we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict[str, object]:
    """SQLAlchemy engine options from the environment (bench/ uses them for its baseline)."""
    if url.startswith("sqlite"):
        # One file shared by greenlets; wait instead of failing on a busy lock.
        return {"connect_args": {"timeout": 30}}
    env = os.environ.get
    options: dict[str, object] = {
        "pool_pre_ping": True,
        # Per process. A gevent process serves hundreds of requests at once but each
        # holds a connection only for milliseconds. No overflow by default: the pool
        # closes an overflow connection as soon as it comes back to a full pool, so
        # under sustained load every few requests forked a new PostgreSQL backend
        # (bench/comment_intake.py: PostgreSQL and the kernel spent twice the CPU per
        # comment with 10 + 10 as with 20 + 0). max_connections counts every web
        # process and worker: see docs/deploy.md.
        "pool_size": int(env("DB_POOL_SIZE", "20")),
        "max_overflow": int(env("DB_MAX_OVERFLOW", "0")),
        # Waiting longer for a free connection than this gives a 503 "busy, retry"
        # (consultations.views.api_comments) instead of a request hanging for 30 s.
        "pool_timeout": float(env("DB_POOL_TIMEOUT", "10")),
    }
    if url.startswith("postgresql"):
        # The JIT costs 100-500 ms per aggregate query here and never pays off on
        # our small OLTP queries. DB_OPTIONS="" keeps the server's settings.
        pg_options = env("DB_OPTIONS", "-c jit=off")
        if pg_options:
            options["connect_args"] = {"options": pg_options}
    return options
