"""The embedded mode's backup: SQLite's online backup API while the platform writes;
restored, the audit chain verifies and every receipt resolves. Broken chains and
unresolvable receipts are reported (tests/faults does the same on PostgreSQL)."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from bench.faults import _app_on, fill_for_backup
from consultations.models import Comment
from participation.db import db
from participation.models import AuditEntry
from tests.events.factories import make_consultation


def _source(tmp_path):
    from participation.models import Organization, User

    app = _app_on(f"sqlite:///{tmp_path / 'live.db'}")
    with app.app_context():
        db.create_all()
        org = Organization(name="山东省生态环境厅", name_en="Dept")
        user = User(email="o@example.org", display_name="组织者", password_hash="x")
        db.session.add_all([org, user])
        db.session.commit()
        make_consultation(org, user)
    return app, fill_for_backup(app, 40)


def test_sqlite_backup_restores_whole(tmp_path):
    app, numbers = _source(tmp_path)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    dump = next((tmp_path / "backups").glob("canyu-*.sqlite3"))
    restored = _app_on(f"sqlite:///{tmp_path / 'restored.db'}")
    runner = restored.test_cli_runner()
    assert runner.invoke(args=["restore", str(dump)]).exit_code == 0
    assert runner.invoke(args=["audit-verify"]).output.strip() == "Audit chain intact: 50 entries."
    assert runner.invoke(args=["receipts-verify"]).output.strip() == "All 40 receipts resolve."
    assert restored.test_client().get(f"/receipts/{numbers[7]}").status_code == 200
    # A second restore would mix a backup with live data: refused.
    again = runner.invoke(args=["restore", str(dump)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_checks_report_a_tampered_restore(tmp_path):
    app, numbers = _source(tmp_path)
    app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
    dump = next((tmp_path / "b").glob("canyu-*.sqlite3"))
    with sqlite3.connect(dump) as conn:
        conn.execute("UPDATE audit_entries SET data = '{}' WHERE id = 3")
        conn.execute("UPDATE comments SET receipt_no = lower(receipt_no) WHERE id = 5")
    conn.close()
    restored = _app_on(f"sqlite:///{tmp_path / 'restored.db'}")
    runner = restored.test_cli_runner()
    assert runner.invoke(args=["restore", str(dump)]).exit_code == 0
    chain = runner.invoke(args=["audit-verify"])
    assert chain.exit_code == 1 and "BROKEN at entry 3" in chain.output
    receipts = runner.invoke(args=["receipts-verify"])
    assert receipts.exit_code == 1 and "1 of 40 receipts do not resolve" in receipts.output
    with restored.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 40
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 50
