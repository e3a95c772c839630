"""Reports published before versions existed become version 1: the opinions submitted
up to publication, with their answers; anything later waits for an addendum."""

from __future__ import annotations

import json
from datetime import timedelta

import flask_migrate
import sqlalchemy as sa

from participation import create_app
from participation.db import db, utcnow
from tests.participation.test_migrations import _insert_then

BEFORE = "d8a4f1c2b903"
EDITIONS = "e5b2c9d4a710"


def test_published_reports_migrate_into_version_1(tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.db'}",
            "TESTING": True,
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
        }
    )
    now = utcnow()
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            org = _insert_then(conn, "organizations", name="迁移测试厅")
            catalogue = _insert_then(conn, "catalogues", year=2026, title="目录")
            decision = _insert_then(
                conn, "decisions", catalogue_id=catalogue, organization_id=org, title="条例"
            )
            draft = _insert_then(
                conn,
                "draft_versions",
                decision_id=decision,
                version=1,
                title="稿",
                published_at=now,
            )
            consultation = _insert_then(
                conn,
                "consultations",
                decision_id=decision,
                draft_id=draft,
                title="征求意见",
                opens_at=now - timedelta(days=30),
                closes_at=now - timedelta(days=10),
                report_summary="共收到意见1条。",
                report_published_at=now - timedelta(days=5),
            )

            def comment(n: int, days_ago: int, status: str = "accepted") -> int:
                return _insert_then(
                    conn,
                    "comments",
                    consultation_id=consultation,
                    receipt_no=f"MIG{n}",
                    body=f"意见{n}",
                    published_body=f"意见{n}",
                    status=status,
                    submitted_at=now - timedelta(days=days_ago),
                )

            early, late = comment(1, 20), comment(2, 1)  # late: a statement filed after
            comment(3, 15, "rejected")
            answer = _insert_then(
                conn,
                "responses",
                comment_id=early,
                organization_id=org,
                outcome="adopted",
                status="published",
                published_at=now - timedelta(days=6),
            )
            conn.execute(
                sa.text("INSERT INTO feedback_versions (consultation_id, version) VALUES (:c, 3)"),
                {"c": consultation},
            )
        flask_migrate.upgrade(revision=EDITIONS)
        with db.engine.connect() as conn:
            editions = conn.execute(
                sa.text("SELECT id, number, status, summary, figures FROM report_editions")
            ).all()
            assert len(editions) == 1
            edition_id, number, status, summary, figures = editions[0]
            assert (number, status, summary) == (1, "published", "共收到意见1条。")
            entries = conn.execute(
                sa.text("SELECT position, comment_id, response_id, text FROM report_entries")
            ).all()
            assert entries == [(1, early, answer, "意见1")]
            assert late not in {e[1] for e in entries}
            figures = figures if isinstance(figures, dict) else json.loads(figures)
            assert figures["comments"] == 1 and figures["by_outcome"] == {"adopted": 1}
            assert figures["rejected"] == 1 and figures["participants"] == 1
            assert "feedback_versions" not in sa.inspect(conn).get_table_names()
        flask_migrate.downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            assert "report_editions" not in tables and "feedback_versions" in tables
        db.engine.dispose()
