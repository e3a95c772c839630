"""Hearings, symposiums, observed meetings and open days, and the live Q&A."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from participation.registry import NavItem, registry


def init_app(app: Flask) -> None:
    """Plug the feature into the core: blueprints, navigation, demo data, API."""
    from . import live, public_texts, setup

    public_texts.register()

    reg = registry(app)
    reg.nav.append(NavItem("events.event_list", _l("Hearings and events"), 30))
    setup.init_app(app)
    live.init_app(app)
