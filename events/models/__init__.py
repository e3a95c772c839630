"""Event models, one aggregate per file."""

import consultations.models  # noqa: F401  (decisions and comments are referenced)

from .application import ACTIVE, SEAT_HOLDING, Application, ApplicationStatus
from .evaluation import Evaluation
from .event import (
    Event,
    EventCategory,
    EventChange,
    EventKind,
    EventMaterial,
    EventModerator,
    EventStatus,
    SelectionMode,
)
from .record import RecordEntry
from .selection import SelectionDraw

__all__ = [
    "ACTIVE",
    "SEAT_HOLDING",
    "Application",
    "ApplicationStatus",
    "Evaluation",
    "Event",
    "EventCategory",
    "EventChange",
    "EventKind",
    "EventMaterial",
    "EventModerator",
    "EventStatus",
    "RecordEntry",
    "SelectionDraw",
    "SelectionMode",
]
