"""Redis killed (it comes back empty) during a live session on two web processes:
acknowledged and flushed votes are kept, moderation and rate-limited writes keep working
(the limits fall back to per-process memory), and every viewer ends with the question
list of the database without reloading, resyncing by snapshot at the next delta."""

from __future__ import annotations

from bench.faults import redis_restart


def test_viewers_resync_and_votes_survive_a_redis_restart(fault_services):
    f = redis_restart(fault_services, viewers=30)
    assert f["votes_in_database_after"] == f["votes_acknowledged_before"] > 0
    assert f["approve_while_down"] is True and f["approve_after_restart"] is True
    assert f["write_while_redis_down_status"] == 201  # fail safe: limited locally, not a 500
    assert f["viewers_in_sync"] == 30
    assert f["in_sync_after_next_change_s"] is not None
    assert f["fresh_join_matches_database"]
