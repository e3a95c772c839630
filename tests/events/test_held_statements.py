"""A hearing statement filed as a comment and held by screening stays in sight: the
event's record marks it and links the consultation's moderation queue, where it waits
with the others, and the organizers are told."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consultations.models import Comment, CommentStatus
from events.models import SelectionMode
from participation.db import db
from participation.models import OutboxMail
from tests.events.factories import apply, start


@pytest.fixture
def hearing(make_event, residents, consultation):
    event = make_event(
        selection_mode=SelectionMode.first_come, decision_id=consultation.decision_id
    )
    application = apply(residents[0], event, "stakeholder")
    start(event)
    return event, application


def test_a_held_statement_is_marked_and_waits_in_the_queue(hearing, organizer, login_as):
    event, application = hearing
    staff = login_as(organizer)
    for body in ("有人说让加微信办理就能优先安排，请核实。", "建议公开监测数据。"):
        resp = staff.post(
            f"/events/{event.id}/record", data={"application_id": application.id, "body": body}
        )
        assert resp.status_code == 303
    assert staff.post(f"/events/{event.id}/record/file").status_code == 303
    held = db.session.scalar(sa.select(Comment).where(Comment.status == CommentStatus.pending))
    assert held is not None and "加微信" in held.body

    page = staff.get(f"/events/{event.id}/manage?lang=en").text
    queue = f"/staff/consultations/{held.consultation_id}/moderation"
    assert "Held for review" in page and f'href="{queue}?status=pending"' in page
    assert "1 filed statement was held by screening" in page and f'href="{queue}"' in page
    assert held.receipt_no in staff.get(queue).text
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.user_id == organizer.id))
    assert mail is not None and queue in mail.body
