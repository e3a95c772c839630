"""The consultation texts that are published and so screened for personal data.

Organizers' answers and summaries are public records: a phone number or an email an
organizer pastes into a reason ("已电话联系 138…") must not be published. See
participation.public_text for what screening a column means; the consultation notice's
own contact fields and the draft are deliberately not listed (they carry the agency's
channels for comments).
"""

from __future__ import annotations

from participation.public_text import screen_columns


def register() -> None:
    from .models import (
        Comment,
        CommentGroup,
        Consultation,
        ConsultationExtension,
        DecisionAdjustment,
        Response,
    )

    screen_columns(
        Response.reason,
        Comment.moderation_reason,  # shown on the receipt page, which anyone with the number sees
        CommentGroup.title,
        CommentGroup.summary,
        Consultation.report_summary,
        ConsultationExtension.reason,
        DecisionAdjustment.reason,
    )
    try:  # report editions (summary and note of every published version)
        from .models.report import ReportEdition
    except ImportError:
        return
    screen_columns(ReportEdition.summary, ReportEdition.note)
