"""The append-only, hash-chained audit log of staff actions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .db import db, utcnow
from .models import AuditEntry, User

GENESIS = "0" * 64


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _fields(e: AuditEntry) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(timespec="microseconds"),
        "actor_id": e.actor_id,
        "actor_label": e.actor_label,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "reason": e.reason,
        "data": e.data,
    }


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: object,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction: it commits or rolls back with the action."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so each reads the true tail; released at commit.
        session.execute(sa.text("SELECT pg_advisory_xact_lock(7245001)"))
    session.flush()
    prev = session.scalar(sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_label=(f"{actor.display_name} (#{actor.id})" if actor is not None else "system"),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        reason=reason or "",
        data=data or {},
        prev_hash=prev or GENESIS,
    )
    entry.hash = _digest(entry.prev_hash, _fields(entry))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify(batch: int = 2000) -> ChainReport:
    """Walk the chain in id order; any edit, deletion or insertion breaks a link."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch)
        ).all()
        if not rows:
            return ChainReport(True, checked)
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(False, checked, e.id, "link")
            if _digest(e.prev_hash, _fields(e)) != e.hash:
                return ChainReport(False, checked, e.id, "content")
            prev = e.hash
            checked += 1
            last_id = e.id
