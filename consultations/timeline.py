"""Steps of a decision's life that other features (hearings, meetings) contribute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

HOOK = "decision.timeline"  # registry hook: fn(decision) -> list[TimelineItem]


@dataclass(frozen=True)
class TimelineItem:
    when: datetime
    kind: str  # "hearing", "symposium", "observed_meeting", "open_day", ...
    title: str
    url: str
    note: str = ""
