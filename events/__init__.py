"""Hearings, symposiums, observed meetings and open days, and the live Q&A."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the feature into the core: blueprints, navigation, demo data, API."""
