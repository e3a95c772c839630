from __future__ import annotations

from ..blueprint import bp


@bp.get("/staff/consultations/")
def dashboard() -> str:
    return "dashboard"
