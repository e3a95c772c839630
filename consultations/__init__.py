"""Decisions, their yearly catalogue, drafts, comments, responses and feedback reports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Plug the feature into the core: blueprints, navigation, demo data, API."""
