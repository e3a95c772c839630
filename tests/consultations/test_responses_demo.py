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


def test_demo_reports_are_coherent_versions(app):
    """Version 1 of the weather plan's report had no opinions; the hearing held later is
    published as version 2, not slipped into version 1."""
    assert demo.load()
    for c in db.session.scalars(
        sa.select(Consultation).where(Consultation.report_published_at.is_not(None))
    ):
        versions = editions.published_editions(c)
        assert versions and versions[0].published_at == c.report_published_at
        for v in versions:
            assert sum(v.figures["by_outcome"].values()) == v.figures["comments"]
        assert not editions.pending_changes(c) and not editions.blockers(c)
    weather = db.session.scalar(
        sa.select(Consultation).where(
            Consultation.report_summary.startswith("征求意见期间未收到意见")
        )
    )
    first, second = editions.published_editions(weather)
    assert first.figures["comments"] == 0 and first.summary == "征求意见期间未收到意见。"
    assert second.figures["added"] == second.figures["comments"] > 0
    assert second.figures["by_channel"] == {"hearing": second.figures["comments"]}
    assert second.drafted_by_id != second.published_by_id
