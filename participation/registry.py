"""Extension points through which features plug into the core (the core imports none)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy_gettext string
    order: int = 50


@dataclass(frozen=True)
class HomeSection:
    template: str
    context: Callable[[], dict[str, Any]]
    order: int = 50


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    task_name: str  # a Celery task name, so beat and the embedded timer share it


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home: list[HomeSection] = field(default_factory=list)
    staff_links: list[NavItem] = field(default_factory=list)
    account_links: list[NavItem] = field(default_factory=list)  # on the account page
    footer_links: list[NavItem] = field(default_factory=list)  # on every page, at the foot
    periodic: list[PeriodicJob] = field(default_factory=list)
    # Called in feature order by `flask demo`: fn(org_by_key, users_by_key) -> None.
    demo_loaders: list[Callable[..., None]] = field(default_factory=list)
    # Dicts merged into /api/v1/openapi.json ("paths", "components").
    openapi: list[dict[str, Any]] = field(default_factory=list)
    # Named hooks between features that must not import each other, e.g.
    # "decision.timeline": fn(decision) -> list of items that events add to a decision page.
    hooks: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)

    def hook(self, name: str, fn: Callable[..., Any]) -> None:
        self.hooks.setdefault(name, []).append(fn)

    def call(self, name: str, *args: Any) -> list[Any]:
        return [fn(*args) for fn in self.hooks.get(name, [])]


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions["canyu"]
