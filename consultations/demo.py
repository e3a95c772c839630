"""Demo content for `make run`: a catalogue, an open draft, a closed consultation with
answered comments and a published report. Each area adds its own part, in order."""

from __future__ import annotations

from typing import Any


def load(orgs: dict[str, Any], users: dict[str, Any]) -> None:
    from .demo_data import catalogue, comments, responses

    ctx: dict[str, Any] = {"orgs": orgs, "users": users}
    catalogue.load(ctx)  # decisions, drafts, consultations -> ctx["open"], ctx["closed"]
    comments.load(ctx)  # comments from every channel
    responses.load(ctx)  # groups, responses of every outcome, the published report
