"""Group inserts: rows from many concurrent requests stored by one INSERT statement.

At hundreds of comments a second, each request storing its own row spent more of the
web process's CPU on the database conversation (a pool checkout, a ping, the INSERT,
each a round trip with its greenlet switches) than on everything else it did. Here the
first request to arrive starts a flusher; requests arriving while a batch is in flight
wait and go together in the next one. A lone request waits for nothing; a crowd
shares round trips.

A batch is one statement in autocommit, so it is atomic: all of its rows are stored or
none. A request learns its own outcome only after the statement returned, so a
request answered "stored" is stored. A batch refused as a whole (a constraint, bad
data: nothing was stored) is sent again row by row, so one bad row cannot fail the
others; any other failure (the connection lost, when the outcome is unknown) is raised
in every request of the batch, as it would have been in each alone.

Batches use a connection of their own (an engine with one connection): waiting
requests may hold pooled connections of their own, and a batch must never wait for
them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask

# Failures after which the outcome is unknown (the connection, the server): no retry.
_UNKNOWN_OUTCOME = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.InternalError)


def _refused_whole(exc: BaseException) -> bool:
    """Nothing of the statement was stored: the database refused it (a constraint, bad
    data) or it failed before it was sent (a parameter that cannot be bound)."""
    return (
        isinstance(exc, sa.exc.StatementError)
        and not isinstance(exc, _UNKNOWN_OUTCOME)
        and not getattr(exc, "connection_invalidated", False)
    )


class _Pending:
    __slots__ = ("params", "row", "error", "done")

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self.row: sa.Row[Any] | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()


class GroupInsert:
    """``insert(params)`` for one INSERT … RETURNING statement with bound parameters.

    The statement returns ``match`` (a unique column whose value the caller sets), by
    which returned rows are given back to their requests; a row that ON CONFLICT DO
    NOTHING skipped comes back as None.
    """

    def __init__(
        self,
        make_engine: Callable[[], sa.Engine],
        statement: sa.Insert,
        match: str,
        max_rows: int = 500,
    ) -> None:
        self._make_engine = make_engine
        self._engine: sa.Engine | None = None
        self.statement = statement
        self.match = match
        self.max_rows = max_rows
        self._pending: list[_Pending] = []
        self._flushing = False
        self._lock = threading.Lock()
        self.statements = 0  # sent so far, for tests and the bench
        self.rows = 0

    def insert(self, params: Mapping[str, Any]) -> sa.Row[Any] | None:
        """The RETURNING row of this row once it is stored, or None when skipped."""
        item = _Pending(params)
        with self._lock:
            self._pending.append(item)
            start, self._flushing = not self._flushing, True
        if start:
            # A greenlet under gevent's monkey patching, a thread otherwise.
            threading.Thread(target=self._flush, name="group-insert", daemon=True).start()
        item.done.wait()
        if item.error is not None:
            raise item.error
        return item.row

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def _flush(self) -> None:
        while True:
            with self._lock:
                batch = self._pending[: self.max_rows]
                del self._pending[: self.max_rows]
                if not batch:
                    self._flushing = False
                    return
            try:
                self._store(batch)
            except BaseException as exc:  # noqa: BLE001 - no request may wait forever
                self._fail([item for item in batch if not item.done.is_set()], exc)

    def _store(self, batch: list[_Pending]) -> None:
        try:
            rows = self._execute([item.params for item in batch])
        except Exception as exc:  # noqa: BLE001 - raised again in each request
            if len(batch) > 1 and _refused_whole(exc):
                for item in batch:  # find the row at fault; the others are stored
                    self._store([item])
            else:
                self._fail(batch, exc)
            return
        by_value = {row._mapping[self.match]: row for row in rows}
        for item in batch:
            item.row = by_value.get(item.params[self.match])
            item.done.set()

    def _execute(self, params: list[Mapping[str, Any]]) -> list[sa.Row[Any]]:
        if self._engine is None:
            self._engine = self._make_engine()
        with self._engine.connect() as conn:
            rows = conn.execute(self.statement, params).all()
        self.statements += 1
        self.rows += len(params)
        return rows

    @staticmethod
    def _fail(batch: list[_Pending], exc: BaseException) -> None:
        for item in batch:
            item.error = exc
            item.done.set()


def autocommit_engine(engine: sa.Engine, options: Mapping[str, Any]) -> sa.Engine:
    """A one-connection engine to the same database, each statement its own transaction."""
    settings = {k: v for k, v in options.items() if k not in ("pool_size", "max_overflow")}
    if "poolclass" not in settings:  # tests choose a pool without connections kept
        settings.update(pool_size=1, max_overflow=0)
    return sa.create_engine(engine.url, **settings, isolation_level="AUTOCOMMIT")


def group_insert(app: Flask, name: str, make: Callable[[], GroupInsert]) -> GroupInsert:
    """The app's group insert of that name, made on first use (one per app and process)."""
    groups = app.extensions.setdefault("group_inserts", {})
    group = groups.get(name)
    if group is None:
        with _creating:
            group = groups.get(name)
            if group is None:
                group = groups[name] = make()
    return group


def close_all(app: Flask) -> None:
    """Close the connections of the app's group inserts (tests, shutdown)."""
    for group in app.extensions.pop("group_inserts", {}).values():
        group.close()


_creating = threading.Lock()
