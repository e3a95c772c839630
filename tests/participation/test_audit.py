"""The audit trail: every staff action recorded, chained, and tampering detected."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from participation import announcements, audit
from participation.db import db
from participation.models import AuditEntry
from tests.helpers import login


def _entries() -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_staff_action_is_recorded_with_actor_and_chain(make_user):
    admin = make_user(admin=True)
    announcements.publish(admin, "系统维护通知")
    announcements.withdraw(admin)
    db.session.commit()
    first, second = _entries()
    assert first.action == "announcement.publish" and first.actor_id == admin.id
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert audit.verify().ok and audit.verify().checked == 2


def test_rolled_back_action_leaves_no_entry(make_user):
    admin = make_user(admin=True)
    announcements.publish(admin, "不会提交")
    db.session.rollback()
    assert _entries() == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: sa.update(AuditEntry).where(AuditEntry.id == e[1].id).values(reason="edited"),
        lambda e: sa.update(AuditEntry).where(AuditEntry.id == e[1].id).values(actor_id=None),
        lambda e: sa.delete(AuditEntry).where(AuditEntry.id == e[1].id),
    ],
    ids=["edit-reason", "edit-actor", "delete-entry"],
)
def test_tampering_is_detected(make_user, tamper):
    admin = make_user(admin=True)
    for i in range(3):
        audit.record(admin, "test.action", "thing", i, reason="r")
    db.session.commit()
    db.session.execute(tamper(_entries()))
    db.session.commit()
    report = audit.verify()
    assert not report.ok
    assert report.first_bad_id is not None


def test_chain_cannot_fork(make_user):
    """Two appenders that read the same tail cannot both commit."""
    admin = make_user(admin=True)
    entry = audit.record(admin, "a", "t", 1)
    db.session.commit()
    db.session.add(
        AuditEntry(
            actor_label="x",
            action="b",
            target_type="t",
            target_id="2",
            prev_hash=entry.prev_hash,
            hash="f" * 64,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_admin_sees_audit_log_and_verification(make_user, client):
    admin = make_user(admin=True)
    announcements.publish(admin, "通知")
    db.session.commit()
    login(client, admin)
    html = client.get("/admin/audit?verify=1&lang=en").get_data(as_text=True)
    assert "announcement.publish" in html
    assert "The chain is intact: 1 entries checked." in html


def test_audit_verify_command(app, make_user):
    admin = make_user(admin=True)
    audit.record(admin, "x", "t", 1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "intact: 1" in result.output
    db.session.execute(sa.update(AuditEntry).values(reason="changed"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "BROKEN" in result.output
