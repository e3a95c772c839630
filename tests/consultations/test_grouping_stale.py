"""A grouping job whose worker died is failed by the stale-job sweep, never left
"running"; the organizer's page says so and a new run starts (tests/faults kills a real
worker)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consultations.models import GroupingJob
from consultations.services import groups
from consultations.tasks import fail_stale_grouping, run_grouping
from participation.db import db, utcnow


def _job(c, status: str, beat_ago: timedelta | None) -> GroupingJob:
    job = GroupingJob(
        consultation_id=c.id,
        status=status,
        started_at=utcnow() - timedelta(hours=1),
        heartbeat_at=utcnow() - beat_ago if beat_ago is not None else None,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_sweep_fails_jobs_without_heartbeat_and_keeps_live_ones(make_consultation, app):
    app.config["GROUPING_STALE_SECONDS"] = 60
    c = make_consultation()
    dead = _job(c, "running", timedelta(minutes=5))
    lost_in_queue = _job(c, "queued", timedelta(minutes=5))
    alive = _job(c, "running", timedelta(seconds=5))
    done = _job(c, "done", timedelta(hours=2))
    assert fail_stale_grouping() == 2
    db.session.expire_all()
    assert (dead.status, lost_in_queue.status) == ("failed", "failed")
    assert dead.result == {"error": "worker_lost"} and dead.finished_at is not None
    assert (alive.status, done.status) == ("running", "done")
    assert fail_stale_grouping() == 0  # idempotent


def test_a_dead_job_is_not_reused_and_its_redelivery_does_nothing(
    make_consultation, organizer, login_as, app
):
    app.config["GROUPING_STALE_SECONDS"] = 60
    c = make_consultation()
    dead = _job(c, "running", timedelta(minutes=5))
    # Before the sweep: a double click must not wait on a job nobody runs.
    job = groups.start_grouping(organizer, c)
    db.session.commit()
    assert job.id != dead.id and job.heartbeat_at is not None
    fail_stale_grouping()
    page = login_as(organizer).get(f"/staff/consultations/{c.id}/groups?lang=en")
    assert "Last run: 0 groups proposed" in page.get_data(as_text=True)  # the new run is latest
    # The dead job's message, redelivered after the sweep failed it, changes nothing.
    assert run_grouping(dead.id) == "skipped"
    db.session.expire_all()
    assert db.session.get(GroupingJob, dead.id).status == "failed"


def test_failed_job_shows_on_the_page_with_a_run_button(
    make_consultation, organizer, login_as, app
):
    app.config["GROUPING_STALE_SECONDS"] = 60
    c = make_consultation()
    _job(c, "running", timedelta(minutes=5))
    fail_stale_grouping()
    html = (
        login_as(organizer)
        .get(f"/staff/consultations/{c.id}/groups?lang=en")
        .get_data(as_text=True)
    )
    assert "The grouping failed. Please try again." in html
    assert f"/staff/consultations/{c.id}/groups/run" in html
    job = groups.start_grouping(organizer, c)
    db.session.commit()
    assert db.session.get(GroupingJob, job.id).status == "done"  # eager Celery here
    assert db.session.scalar(sa.select(sa.func.count(GroupingJob.id))) == 2
