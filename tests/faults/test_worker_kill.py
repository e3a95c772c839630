"""kill -9 of the Celery worker during receipt mails and again during a grouping job:
after it returns every receipt is mailed exactly once, and the job is done or visibly
failed and runs again, never left "running"."""

from __future__ import annotations

from bench.faults import worker_kill


def test_killed_worker_loses_no_mail_and_leaves_no_job_running(fault_services):
    f = worker_kill(fault_services, comments=40, grouped=1500)
    assert f["comments_acknowledged"] == f["outbox_rows"] == 40
    assert f["mails_received_before_kill"] < 40  # the kill came mid-way
    assert f["distinct_message_ids"] == 40  # every receipt arrived
    assert f["duplicate_deliveries"] <= 1  # at most the one in flight (docs/deploy.md)
    assert f["grouping_status_after"] in ("done", "failed")
    assert f["rerun_status"] == "done"
