"""PostgreSQL restarted or out of reach: 503 with Retry-After in the user's language (HTML
and JSON), never a 500; the pool recovers without restarting the web process; writes
refused meanwhile and retried with their Idempotency-Key are stored exactly once."""

from __future__ import annotations

from bench.faults import database_outage


def test_database_outage_gives_503_and_the_pool_recovers(fault_services):
    figures = database_outage(fault_services, seconds=4.0)
    assert figures["wrong_answers"] == []
    assert figures["requests_during_outage"] >= 8
    assert figures["recovered_after_restart_s"] < 10
    assert figures["retried_statuses"] == {201: figures["writes_retried_after"]}
    assert figures["rows_for_retried_keys"] == figures["writes_retried_after"]
    assert figures["duplicate_rows"] == 0
