"""The core of the platform: the application factory and shared services."""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask

from .config import INSTANCE, ROOT, Config
from .head import HeadAsGet
from .public_url import PublicURLFlask, configure
from .registry import Registry


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = PublicURLFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    app.config.update(Config().as_dict())
    app.config.update(overrides or {})
    configure(app)  # refuses an unsafe production configuration before anything starts
    app.extensions["canyu"] = Registry()

    from . import web

    web.init_extensions(app)
    web.register_core(app)
    for name in app.config["FEATURES"]:
        importlib.import_module(name).init_app(app)
    app.wsgi_app = HeadAsGet(app.wsgi_app)  # type: ignore[method-assign]
    _schedule_periodic(app)
    return app


def _schedule_periodic(app: Flask) -> None:
    """Celery beat runs the same jobs that the embedded timer runs in `make run`."""
    from .extensions import celery

    celery.conf.beat_schedule = {
        job.name: {"task": job.task_name, "schedule": float(job.every_seconds)}
        for job in app.extensions["canyu"].periodic
    }
