"""Registers the events blueprints, home section, demo loader, periodic jobs, OpenAPI
fragment and the decision timeline hook (owner: events)."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from participation.extensions import csrf
from participation.registry import HomeSection, NavItem, PeriodicJob, registry
from participation.signals import user_data_erase, user_data_export

from . import models  # noqa: F401  (registers the tables)
from .blueprint import api, bp


def init_app(app: Flask) -> None:
    from consultations import timeline

    from . import demo, queries, tasks  # noqa: F401  (tasks registers the Celery tasks)
    from .views import api as api_views
    from .views import checkin, public, signup, staff  # noqa: F401  (attach routes)

    # Local numbers, from the environment like the core's config.
    app.config.setdefault("EVENT_OFFER_HOURS", int(os.environ.get("EVENT_OFFER_HOURS", "48")))
    app.config.setdefault(
        "EVENT_CONTACT_RETENTION_DAYS", int(os.environ.get("EVENT_CONTACT_RETENTION_DAYS", "30"))
    )
    csrf.exempt(api)  # the core's API guard checks X-CSRFToken for cookie clients
    app.register_blueprint(bp)
    app.register_blueprint(api)
    reg = registry(app)
    reg.staff_links.append(NavItem("events.manage_list", _l("Events"), 30))
    reg.home.append(HomeSection("events/_home.html", queries.home_context, 30))
    reg.demo_loaders.append(demo.load)
    reg.periodic += [
        PeriodicJob("events-expire-offers", 300, "events.expire_offers"),
        PeriodicJob("events-send-materials", 3600, "events.send_materials"),
        PeriodicJob("events-send-reminders", 3600, "events.send_reminders"),
        PeriodicJob("events-purge-personal-data", 6 * 3600, "events.purge_personal_data"),
    ]
    reg.openapi.append(api_views.OPENAPI)
    reg.hook(timeline.HOOK, queries.decision_timeline)
    user_data_export.connect(_export, weak=False)
    user_data_erase.connect(_erase, weak=False)


def _export(user: Any, **_kw: Any) -> dict[str, Any]:
    from .services import privacy

    return privacy.export_for(user)


def _erase(user: Any, **_kw: Any) -> None:
    from .services import privacy

    privacy.erase_for(user)
