"""`flask receipts-verify`: after a restore, every stored comment is found again by the
receipt number its author holds (docs/deploy.md, "Backup and recovery")."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from participation.db import db

from .models import Comment
from .services.receipts import normalise


def verify_receipts() -> tuple[int, list[str]]:
    """(comments checked, receipt numbers that do not lead back to their comment)."""
    seen: dict[str, int] = {}
    bad: list[str] = []
    rows = db.session.execute(
        sa.select(Comment.id, Comment.receipt_no)
        .order_by(Comment.id)
        .execution_options(yield_per=5000)
    )
    for comment_id, number in rows:
        if normalise(number) != number or number in seen:
            bad.append(number)
        seen[number] = comment_id
    return len(seen), bad


def register(app: Flask) -> None:
    @app.cli.command("receipts-verify")
    def receipts_verify() -> None:
        """Check that every comment's receipt number resolves to it; exit 1 if not."""
        checked, bad = verify_receipts()
        if bad:
            click.echo(f"{len(bad)} of {checked} receipts do not resolve, e.g. {bad[:5]}.")
            raise SystemExit(1)
        click.echo(f"All {checked} receipts resolve.")
