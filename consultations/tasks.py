"""Celery tasks of the consultations feature (ids in, idempotent, JSON)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from celery import shared_task
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from participation import audit
from participation.db import db, utcnow
from participation.links import request_context_if_needed
from participation.mail import send_template
from participation.models import Membership, User

from .grouping import propose_groups
from .models import Consultation, Decision, GroupingJob
from .models.response import DeadlineAlert

GROUPING_TASK = "consultations.run_grouping"
DEADLINE_TASK = "consultations.deadline_alerts"
RECEIPTS_TASK = "consultations.mail_receipts"
STALE_GROUPING_TASK = "consultations.fail_stale_grouping"
HELD_TASK = "consultations.mail_held_notices"


@shared_task(name=GROUPING_TASK)
def run_grouping(job_id: int) -> str:
    """Propose groups for a consultation; a re-run (retry, redelivery) replaces its own
    unconfirmed proposals and never touches confirmed or answered groups."""
    from .services.groups import clear_proposals, groupable_texts, save_proposals

    job = db.session.get(GroupingJob, job_id)
    # A redelivered message of a job that finished, or that the stale sweep failed (the
    # organizer may have started another since), does nothing.
    if job is None or job.status not in ("queued", "running"):
        return "skipped"
    consultation_id = job.consultation_id
    job.status, job.started_at, job.done = "running", utcnow(), 0
    job.heartbeat_at = utcnow()
    items = groupable_texts(consultation_id)
    job.total = len(items)
    db.session.commit()
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        # Its own small commit, so the organizer's polling sees the bar move.
        db.session.execute(
            sa.update(GroupingJob)
            .where(GroupingJob.id == job_id)
            .values(done=done, total=total, heartbeat_at=utcnow())
        )
        db.session.commit()

    try:
        threshold = float(current_app.config.get("GROUPING_THRESHOLD", 0.5))
        proposals = propose_groups(items, threshold=threshold, progress=progress)
        clear_proposals(consultation_id)
        job = db.session.get(GroupingJob, job_id)
        assert job is not None
        # Fallback titles are stored text: write them in the site's default language.
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
            created = save_proposals(job, proposals)
        job.status = "done"
        job.done = job.total
        job.finished_at = utcnow()
        job.result = {
            "groups": created,
            "grouped_comments": sum(p.size for p in proposals),
            "seconds": round(time.perf_counter() - started, 2),
        }
        db.session.commit()
    except Exception:
        db.session.rollback()
        db.session.execute(
            sa.update(GroupingJob)
            .where(GroupingJob.id == job_id)
            .values(status="failed", finished_at=utcnow())
        )
        db.session.commit()
        raise
    return "done"


@shared_task(name=STALE_GROUPING_TASK)
def fail_stale_grouping() -> int:
    """Periodic: a grouping job whose worker died is failed, never left running."""
    from .services.groups import fail_stale_jobs

    return fail_stale_jobs()


@shared_task(name=RECEIPTS_TASK)
def mail_receipts() -> int:
    """Mail the receipts of newly stored comments; nudged after each commit, and run
    every minute as a safety net for a nudge lost with its web process."""
    from .services.receipt_mail import mail_pending

    return mail_pending()


@shared_task(name=HELD_TASK)
def mail_held_notices() -> int:
    """Tell the organizers that opinions wait for review, one mail per consultation per
    window; nudged after a held comment is stored, and run every few minutes."""
    from .services.held_notice import mail_pending

    return mail_pending()


@shared_task(name=DEADLINE_TASK)
def deadline_alerts() -> int:
    """Mail the lead agency's organizers when the feedback deadline is near or passed.

    Once per consultation and threshold ("soon", "overdue"): a unique row records it,
    so overlapping runs (beat and a manual run) cannot mail twice.
    """
    from .services.dashboard import feedback_deadline

    now = utcnow()
    due = db.session.scalars(
        sa.select(Consultation)
        .join(Decision, Consultation.decision_id == Decision.id)
        .where(
            Consultation.closes_at <= now,
            Consultation.report_published_at.is_(None),
            ~Decision.withdrawn,
        )
    ).all()
    sent = 0
    for consultation in due:
        info = feedback_deadline(consultation)
        threshold = {"overdue": "overdue", "soon": "soon"}.get(info.level)
        if threshold is None:
            continue
        exists = db.session.scalar(
            sa.select(DeadlineAlert.id).where(
                DeadlineAlert.consultation_id == consultation.id,
                DeadlineAlert.threshold == threshold,
            )
        )
        if exists:
            continue
        try:
            db.session.add(DeadlineAlert(consultation_id=consultation.id, threshold=threshold))
            db.session.flush()
            _mail_organizers(consultation, info, threshold)
            audit.record(
                None,
                "consultation.deadline_alert",
                "consultation",
                consultation.id,
                data={"threshold": threshold, "deadline": info.deadline.isoformat()},
            )
            db.session.commit()
            sent += 1
        except IntegrityError:
            db.session.rollback()  # another run recorded it first
    return sent


def _mail_organizers(consultation: Consultation, info: object, threshold: str) -> None:
    organizers = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == consultation.decision.organization_id)
    ).all()
    with request_context_if_needed():
        link = url_for(
            "consultations.consultation_work", consultation_id=consultation.id, _external=True
        )
        subject = (
            _l("Feedback deadline passed: a report is overdue")
            if threshold == "overdue"
            else _l("Feedback deadline in a few working days")
        )
        for user in organizers:
            send_template(
                user,
                subject,
                "mail/feedback_deadline.txt",
                consultation=consultation,
                info=info,
                overdue=threshold == "overdue",
                link=link,
            )
