"""The demo data: the closed consultation answered and reported, work left on the open one."""

from __future__ import annotations

import sqlalchemy as sa

from consultations.demo_data.responses import REPORT_SUMMARY
from consultations.models import CommentGroup, Consultation, Outcome, Response, ResponseStatus
from consultations.services import dashboard, editions, reports
from participation import demo
from participation.db import db


def test_demo_answers_the_closed_consultation_and_publishes_its_report(app):
    assert demo.load()
    closed = db.session.scalar(
        sa.select(Consultation).where(Consultation.report_summary == REPORT_SUMMARY)
    )
    edition = editions.latest_edition(closed)
    assert closed.report_published_at is not None and reports.figures(edition).comments > 20
    assert not editions.blockers(closed)
    group = db.session.scalar(sa.select(CommentGroup).where(CommentGroup.confirmed))
    assert group is not None and len(group.comments) >= 5
    outcomes = set(
        db.session.scalars(
            sa.select(Response.outcome).where(Response.status == ResponseStatus.published)
        )
    )
    assert outcomes == set(Outcome)
    # Every response was approved by someone other than its drafter.
    for r in db.session.scalars(sa.select(Response).where(Response.approved_by_id.is_not(None))):
        assert r.approved_by_id != r.drafted_by_id
    open_one = db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.report_published_at.is_(None))
        .order_by(Consultation.closes_at.desc())
    )
    assert dashboard.workload([open_one.id])[open_one.id]["unanswered"] > 0
