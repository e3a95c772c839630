"""Extensions, created unbound; create_app binds them to an application."""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from .db import db
from .proxies import client_address

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_address)
socketio = SocketIO()


class FlaskTask(Task):
    """Run every task inside an application context."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        if has_app_context():
            return self.run(*args, **kwargs)
        with self.app.flask_app.app_context():  # type: ignore[attr-defined]
            return self.run(*args, **kwargs)


celery = Celery("canyu", task_cls=FlaskTask)

__all__ = ["babel", "celery", "csrf", "db", "limiter", "login_manager", "migrate", "socketio"]


def init_celery(app: Flask) -> Celery:
    """Bind Celery to the app: Redis in production, eager in-process otherwise."""

    redis_url = app.config["REDIS_URL"]
    celery.conf.update(
        broker_url=redis_url or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_always_eager=app.config["CELERY_ALWAYS_EAGER"],
        task_eager_propagates=app.config.get("TESTING", False),
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        broker_connection_retry_on_startup=True,
        task_acks_late=True,
        task_default_queue=app.config["CELERY_QUEUE"],
        worker_prefetch_multiplier=1,
    )
    celery.flask_app = app  # type: ignore[attr-defined]
    # Shared tasks resolve through the *current* app: another Celery() made in this
    # process (a client that only publishes) must not capture them.
    celery.set_default()
    celery.set_current()
    app.extensions["celery"] = celery
    return celery
