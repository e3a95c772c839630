"""Backups that can be restored: `pg_dump` (custom format) on PostgreSQL, SQLite's online
backup API in the embedded mode (a consistent copy while the platform keeps writing).

    flask backup /var/backups/canyu          # writes canyu-<UTC time>.dump or .sqlite3
    flask restore /var/backups/canyu/canyu-20261202T0300Z.dump   # into an EMPTY database
    flask audit-verify && flask receipts-verify                   # the restore is whole

docs/deploy.md ("Backup and recovery") says what recovery point and time this gives.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa


class BackupError(Exception):
    pass


def _pg_tool(name: str) -> str:
    """pg_dump/pg_restore: $PG_BIN, else the newest server's, else the one on PATH (a
    pg_dump must be at least as new as the server)."""
    if bindir := os.environ.get("PG_BIN"):
        return str(Path(bindir) / name)
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client or set PG_BIN")
    return tool


def _libpq_url(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def backup(database_url: str, directory: Path) -> Path:
    url = sa.make_url(database_url)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if url.get_backend_name() == "postgresql":
        target = directory / f"canyu-{stamp}.dump"
        # One snapshot of the whole database (pg_dump runs in a repeatable-read
        # transaction): the audit chain and the comments are consistent with each other.
        subprocess.run(  # noqa: S603 - our own tool and the configured URL, no shell
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target),
             _libpq_url(url)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return target
    if url.get_backend_name() == "sqlite":
        target = directory / f"canyu-{stamp}.sqlite3"
        src, dst = sqlite3.connect(_sqlite_path(url)), sqlite3.connect(target)
        try:
            src.backup(dst)  # page by page, consistent, while others keep writing
        finally:
            src.close()
            dst.close()
        return target
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def _is_empty(database_url: str) -> bool:
    engine = sa.create_engine(database_url)
    try:
        return not sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(database_url: str, dump: Path) -> None:
    """Into an empty database only: a restore never mixes with live data."""
    url = sa.make_url(database_url)
    if not dump.is_file():
        raise BackupError(f"{dump} is not a file")
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        src, dst = sqlite3.connect(dump), sqlite3.connect(_sqlite_path(url))
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    if not _is_empty(database_url):
        raise BackupError("the target database is not empty; restore into a new one")
    if url.get_backend_name() == "postgresql":
        result = subprocess.run(  # noqa: S603 - as above
            [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
             "--dbname", _libpq_url(url), str(dump)],
            capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            raise BackupError(result.stderr.strip()[:2000])
        return
    raise BackupError(f"no restore method for {url.get_backend_name()}")
