"""Decisions, their yearly catalogue, drafts, comments, responses and feedback reports."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from participation.registry import HomeSection, NavItem, registry


def init_app(app: Flask) -> None:
    """Plug the feature into the core: blueprints, navigation, home page, demo data."""
    from . import cli, demo, public_texts, tasks  # noqa: F401  (tasks: the Celery tasks)
    from .blueprint import api, bp
    from .views import (
        api_comments,
        api_open_data,
        catalogue,
        comments,
        feeds,
        reports,
        staff,
        staff_catalogue,
        staff_comments,
    )

    public_texts.register()
    cli.register(app)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    reg = registry(app)
    reg.nav += [
        NavItem("consultations.catalogue", _l("Decision catalogue"), 10),
        NavItem("consultations.consultation_list", _l("Consultations"), 20),
    ]
    reg.staff_links.append(NavItem("consultations.dashboard", _l("Opinion handling"), 10))
    reg.account_links.append(NavItem("consultations.my_comments", _l("My comments"), 10))
    # Anyone holding a receipt number (from a mail, a letter, a phone call) starts here.
    reg.footer_links.append(NavItem("consultations.receipt_lookup", _l("Check a receipt"), 10))
    reg.home.append(HomeSection("consultations/_home.html", catalogue.home_context, 10))
    reg.demo_loaders.append(demo.load)
    for module in (
        api_comments,
        api_open_data,
        feeds,
        reports,
        staff,
        staff_catalogue,
        staff_comments,
        comments,
    ):
        if hasattr(module, "register"):
            module.register(app)
