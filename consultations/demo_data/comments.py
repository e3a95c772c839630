from __future__ import annotations

from typing import Any


def load(ctx: dict[str, Any]) -> None:
    """Filled in by this area's owner."""
