"""The Alembic history builds exactly the schema the models describe, on every engine."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from participation import create_app
from participation.db import db


def _assert_no_drift(url: str, tmp_path) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.NullPool},
        }
    )
    with app.app_context():
        flask_migrate.upgrade(revision="b471746de4d3")
        open_day_statement, field_visit = _comments_before_the_open_day_channel()
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
            _assert_checks_allow_every_enum_value(conn)
            channels = dict(conn.execute(sa.text("SELECT id, channel FROM comments")).all())
        assert diff == [], "models changed without a migration: run `make migrate m=...`"
        # The data step: only the comment filed from an open day's record moved.
        assert channels == {open_day_statement: "open_day", field_visit: "field_visit"}
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def _assert_checks_allow_every_enum_value(conn: sa.Connection) -> None:
    """compare_metadata does not compare CHECK constraints: an enum value added to a
    model without a migration would pass it and then be refused by the database."""
    inspector = sa.inspect(conn)
    for table in db.metadata.sorted_tables:
        checks = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
        for column in table.columns:
            if isinstance(column.type, sa.Enum) and column.type.create_constraint:
                text = checks[f"ck_{table.name}_{column.type.name}"]
                missing = [v for v in column.type.enums if f"'{v}'" not in text]
                assert not missing, f"{table.name}.{column.name} CHECK lacks {missing}"


def _insert_then(conn: sa.Connection, table_name: str, /, **values: object) -> int:
    """Insert a row with the columns the table had at that revision (the models may
    have more since): given values, else the model's scalar or callable default."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    model = db.metadata.tables[table_name]
    row = {}
    for column in table.columns:
        if column.name in values:
            row[column.name] = values[column.name]
        elif column.name in model.c and (default := model.c[column.name].default) is not None:
            arg = default.arg
            row[column.name] = arg(None) if callable(arg) else arg
    return conn.execute(sa.insert(table).values(row)).inserted_primary_key[0]


def _comments_before_the_open_day_channel() -> tuple[int, int]:
    """At revision b471746de4d3: an open day's filed statement (then a field visit) and
    a real field visit on the same consultation. Written with the tables of that
    revision, so columns added later do not break the step."""
    from participation.db import utcnow

    now = utcnow()
    with db.engine.begin() as conn:
        org = _insert_then(conn, "organizations", name="开放日测试厅")
        catalogue = _insert_then(conn, "catalogues", year=2026, title="目录")
        decision = _insert_then(
            conn, "decisions", catalogue_id=catalogue, organization_id=org, title="条例"
        )
        draft = _insert_then(
            conn, "draft_versions", decision_id=decision, version=1, title="稿", published_at=now
        )
        consultation = _insert_then(
            conn,
            "consultations",
            decision_id=decision,
            draft_id=draft,
            title="征求意见",
            opens_at=now,
            closes_at=now,
        )
        event = _insert_then(
            conn,
            "events",
            kind="open_day",
            title="政府开放日",
            organization_id=org,
            starts_at=now,
            ends_at=now + timedelta(hours=2),
            signup_opens_at=now - timedelta(days=9),
            signup_closes_at=now - timedelta(days=1),
        )

        def comment(n: int, source_ref: str) -> int:
            return _insert_then(
                conn,
                "comments",
                consultation_id=consultation,
                receipt_no=f"MIG{n}",
                channel="field_visit",
                body="意见",
                published_body="意见",
                source_ref=source_ref,
            )

        return comment(1, f"event:{event}/record:1"), comment(2, "")


def test_migrations_match_models_on_sqlite(tmp_path):
    _assert_no_drift(f"sqlite:///{tmp_path / 'm.db'}", tmp_path)


def test_migrations_match_models_on_postgresql(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("TEST_DATABASE_URL not set")
        pytest.skip("PostgreSQL not configured: set TEST_DATABASE_URL")
    url = sa.make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"canyu_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        _assert_no_drift(url.set(database=name).render_as_string(hide_password=False), tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
