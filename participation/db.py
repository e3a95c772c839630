"""Declarative base, column types and session hooks shared by every feature."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

# Named constraints make Alembic migrations reviewable and portable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class _Session(FlaskSession):
    """Runs after_commit callbacks once commit() has returned, so they may use the session."""

    def commit(self) -> None:
        super().commit()
        for fn in self.info.pop("after_commit", []):
            fn()


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select: Any, *, page: Any = None, per_page: Any = None, **kw: Any) -> Any:
        """`page` and `per_page` from the query string are bounded like every integer
        parameter (a 400 that names them), never passed to the database as 10**20."""
        if has_request_context():
            from .inputs import int_arg

            page = int_arg("page", 1) if page is None else page
            per_page = int_arg("per_page", 20) if per_page is None else per_page
        return super().paginate(select, page=page, per_page=per_page, **kw)


db = _SQLAlchemy(model_class=Base, session_options={"class_": _Session})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every engine (SQLite forgets the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """Store an Enum by value, guarded by a CHECK constraint on every engine."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def after_commit(fn: Callable[[], Any]) -> None:
    """Run fn once the current transaction commits (mail, Socket.IO, Celery).

    Side effects never run for work that is rolled back.
    """
    db.session.info.setdefault("after_commit", []).append(fn)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, previous_transaction: Any) -> None:
    session.info.pop("after_commit", None)
