"""Consultation models, one aggregate per file."""

from .comment import Channel, Comment, CommentStatus, PublishMode
from .consultation import Consultation, ConsultationExtension, ModerationMode
from .decision import Catalogue, Decision, DecisionAdjustment, Stage
from .draft import Article, DraftVersion
from .report import EditionStatus, EntryChange, ReportEdition, ReportEntry
from .response import CommentGroup, GroupingJob, Outcome, Response, ResponseStatus

__all__ = [
    "Article",
    "Catalogue",
    "Channel",
    "Comment",
    "CommentGroup",
    "CommentStatus",
    "Consultation",
    "ConsultationExtension",
    "Decision",
    "DecisionAdjustment",
    "DraftVersion",
    "EditionStatus",
    "EntryChange",
    "GroupingJob",
    "ModerationMode",
    "Outcome",
    "PublishMode",
    "ReportEdition",
    "ReportEntry",
    "Response",
    "ResponseStatus",
    "Stage",
]
