from __future__ import annotations

from typing import Any

from ..blueprint import bp


def home_context() -> dict[str, Any]:
    return {}


@bp.get("/decisions/")
def catalogue() -> str:
    return "catalogue"


@bp.get("/consultations/")
def consultation_list() -> str:
    return "consultations"
