"""kill -9 of one of two web processes during an API comment surge: every 201 is stored
exactly once, a retry under the same Idempotency-Key gets the original receipt, the
other process keeps serving, and the killed one comes back on its port."""

from __future__ import annotations

from bench.faults import web_kill


def test_comment_surge_survives_a_killed_web_process(fault_services):
    f = web_kill(fault_services, clients=40, per_client=5)
    assert f["clients_unfinished"] == 0
    assert f["keys_acknowledged"] == 40 * 5  # every client got an answer for every comment
    assert f["created_201"] + f["replayed_200"] == f["keys_acknowledged"]
    assert f["rows_stored"] == f["keys_acknowledged"]
    assert f["duplicate_rows"] == 0
    assert f["acknowledged_not_stored"] == 0 and f["stored_not_acknowledged"] == 0
    assert f["other_statuses"] == {}  # no 500, no 4xx
    assert f["503_without_retry_after"] == 0
    assert f["connection_errors"] > 0  # the kill did hit requests in flight
    assert f["created_by_survivor_while_other_down"] > 0
    assert f["restarted_healthz"] == 200
