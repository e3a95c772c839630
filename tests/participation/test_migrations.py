"""The Alembic history builds exactly the schema the models describe, on every engine."""

from __future__ import annotations

import os
import uuid

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
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], "models changed without a migration: run `make migrate m=...`"
        flask_migrate.downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


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
