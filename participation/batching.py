"""Group inserts: rows from many concurrent requests stored by one INSERT statement.

At hundreds of comments a second, each request storing its own row spent more of the
web process's CPU on the database conversation (a pool checkout, a ping, the INSERT,
each a round trip with its greenlet switches) than on everything else it did. Here the
first request to arrive starts a flusher; requests arriving while a batch is in flight
wait and go together in the next one. A lone request waits for nothing; a crowd
shares round trips.

A batch is one transaction: all of its rows are stored or none. A request learns its
own outcome only after the commit, so a request answered "stored" is stored. A batch
refused as a whole (a constraint, bad data: nothing was stored) is sent again row by
row, so one bad row cannot fail the others; any other failure (the connection lost, when
the outcome is unknown) is raised in every request of the batch, each its own copy, as
it would have been in each alone. A request that stops waiting (it timed out, its
greenlet was killed) takes its row out of the queue if it was not sent yet.

Batches use a connection of their own (an engine with one connection), with statement
and lock timeouts: waiting requests may hold pooled connections of their own, and a
batch must never wait for them, nor wait without end for a lock.
"""

from __future__ import annotations

import copy
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


# The batch connection gives up on a statement or a lock after these; a waiting request
# gives up after WAIT_SECONDS, well after the statement would have failed.
STATEMENT_TIMEOUT_MS = 10_000
LOCK_TIMEOUT_MS = 5_000
WAIT_SECONDS = 30.0


_creating = threading.Lock()  # one GroupInsert per app and name, even when raced


class Unfinished(TimeoutError):
    """The row's batch did not finish in time: whether it was stored is not known."""


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
        self.statements = 0  # batches committed so far, and their rows (for tests)
        self.rows = 0

    def insert(
        self, params: Mapping[str, Any], timeout: float = WAIT_SECONDS
    ) -> sa.Row[Any] | None:
        """The RETURNING row of this row once it is stored, or None when skipped.

        Raises the batch's error (a copy of it), or Unfinished after ``timeout``."""
        item = _Pending(params)
        with self._lock:
            self._pending.append(item)
            start, self._flushing = not self._flushing, True
        if start:
            try:
                # A greenlet under gevent's monkey patching, a thread otherwise.
                threading.Thread(target=self._flush, name="group-insert", daemon=True).start()
            except RuntimeError:  # no thread to be had: flush in this one
                self._flush()
        try:
            item.done.wait(timeout)
        finally:
            if not item.done.is_set():
                with self._lock:  # not sent yet: never store a row nobody waits for
                    if item in self._pending:
                        self._pending.remove(item)
        if not item.done.is_set():
            raise Unfinished(f"group insert did not finish within {timeout:g} s")
        if item.error is not None:
            # Each request raises its own copy: the batch's exception object, raised in
            # many greenlets at once, would collect all their tracebacks.
            raise _copy(item.error) from item.error
        return item.row

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def _flush(self) -> None:
        batch: list[_Pending] = []
        try:
            while True:
                with self._lock:
                    batch = self._pending[: self.max_rows]
                    del self._pending[: self.max_rows]
                    if not batch:
                        self._flushing = False
                        return
                try:
                    self._store(batch)
                except Exception as exc:  # noqa: BLE001 - no request may wait forever
                    self._fail([item for item in batch if not item.done.is_set()], exc)
        finally:
            if self._flushing:  # killed (GreenletExit, interpreter exit): fail, not hang
                with self._lock:
                    left, self._pending, self._flushing = self._pending, [], False
                stopped = RuntimeError("group insert stopped")
                self._fail([i for i in (*batch, *left) if not i.done.is_set()], stopped)

    def _store(self, batch: list[_Pending]) -> None:
        batch = self._unique(batch)
        if not batch:
            return
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

    def _unique(self, batch: list[_Pending]) -> list[_Pending]:
        """Rows are given back by their match value: a second row with the same value in
        one batch (a 2^-40 receipt clash) is answered None at once, as a clash with a
        stored row would be, and its caller tries again with a new value."""
        seen: set[Any] = set()
        unique = []
        for item in batch:
            value = item.params[self.match]
            if value in seen:
                item.done.set()
            else:
                seen.add(value)
                unique.append(item)
        return unique

    def _execute(self, params: list[Mapping[str, Any]]) -> list[sa.Row[Any]]:
        if self._engine is None:
            self._engine = self._make_engine()
        # One transaction, whatever the number of statements SQLAlchemy sends.
        with self._engine.begin() as conn:
            rows = conn.execute(self.statement, params).all()
        self.statements += 1
        self.rows += len(params)
        return rows

    @staticmethod
    def _fail(batch: list[_Pending], exc: BaseException) -> None:
        for item in batch:
            item.error = exc
            item.done.set()


def batch_engine(engine: sa.Engine, options: Mapping[str, Any]) -> sa.Engine:
    """A one-connection engine to the same PostgreSQL database for batches: with statement
    and lock timeouts, and without parameters in its errors (they hold other people's
    rows, and every request of a failed batch logs its error)."""
    settings = {k: v for k, v in options.items() if k not in ("pool_size", "max_overflow")}
    if "poolclass" not in settings:  # tests choose a pool without connections kept
        settings.update(pool_size=1, max_overflow=0)
    connect_args = dict(settings.pop("connect_args", {}))
    timeouts = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    connect_args["options"] = f"{connect_args.get('options', '')} {timeouts}".strip()
    return sa.create_engine(engine.url, **settings, connect_args=connect_args, hide_parameters=True)


def _copy(exc: BaseException) -> BaseException:
    try:
        return copy.copy(exc)
    except Exception:  # noqa: BLE001 - an exception that cannot be copied
        return RuntimeError(f"group insert failed: {exc!r}")


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
