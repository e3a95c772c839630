"""`flask backup` (pg_dump) and `flask restore` into a fresh PostgreSQL database: the
audit chain verifies and every receipt resolves; a non-empty target is refused."""

from __future__ import annotations

from bench.faults import backup_restore


def test_backup_restores_into_a_fresh_database_whole(fault_services):
    f = backup_restore(fault_services, comments=300)
    assert f["audit_verify_exit"] == 0, f["audit_verify"]
    assert f["audit_verify"] == "Audit chain intact: 50 entries."
    assert f["receipts_verify_exit"] == 0
    assert f["receipts_verify"] == "All 300 receipts resolve."
    assert f["receipt_pages_checked"] == {200: 50}
    assert f["restore_into_non_empty_refused"]
