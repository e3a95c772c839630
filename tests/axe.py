"""Accessibility check of a page in the browser tests: axe-core (shipped inside the
axe-playwright-python package, so nothing is fetched at run time), WCAG 2 A and AA."""

from __future__ import annotations

from typing import Any

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page: Any) -> list[str]:
    """One line per violated rule: its id, impact and the first offending elements."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={**WCAG, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v.get('impact')}): {v['help']} at "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


def assert_accessible(page: Any) -> None:
    found = axe_violations(page)
    assert found == [], "axe found:\n" + "\n".join(found)
