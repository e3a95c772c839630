"""Command-line tools: `flask demo`, `flask create-admin`, `flask mask-public-texts`,
`flask audit-verify`, `flask backup`, `flask restore`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
from flask import Flask

from . import audit, demo
from .db import db


def register_cli(app: Flask) -> None:
    @app.cli.command("demo")
    def demo_command() -> None:
        """Load the demo data into an empty database (does nothing the second time)."""
        if demo.load():
            click.echo("Demo data loaded.")
        else:
            click.echo("Database already has data; demo data not loaded again.")
        click.echo(demo.describe_accounts())

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.argument("display_name")
    @click.password_option()
    def create_admin(email: str, display_name: str, password: str) -> None:
        """Create an administrator account."""
        from . import accounts
        from .db import utcnow

        user = accounts.register(email, password, display_name)
        if user is None:
            raise click.ClickException(f"An account with the address {email} exists already.")
        user.is_admin = True
        user.email_verified_at = utcnow()
        db.session.commit()
        click.echo(f"Administrator {user.email} created.")

    @app.cli.command("mask-public-texts")
    def mask_public_texts() -> None:
        """Mask personal data stored in published texts before they were screened."""
        from .public_text import mask_stored

        changed = mask_stored(db.session)
        audit.record(None, "privacy.mask_stored", "database", "*", data=changed)
        db.session.commit()
        for column, count in changed.items():
            click.echo(f"{column}: {count} masked")
        click.echo(f"{sum(changed.values())} texts masked.")

    @app.cli.command("backup")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def backup_command(directory: Path) -> None:
        """Write a consistent backup of the database into DIRECTORY."""
        from .backup import BackupError, backup

        try:
            target = backup(app.config["SQLALCHEMY_DATABASE_URI"], directory)
        except (BackupError, subprocess.CalledProcessError) as exc:
            raise click.ClickException(str(getattr(exc, "stderr", "") or exc)) from exc
        click.echo(f"Backup written: {target}")

    @app.cli.command("restore")
    @click.argument("dump", type=click.Path(dir_okay=False, exists=True, path_type=Path))
    def restore_command(dump: Path) -> None:
        """Restore DUMP into the configured database, which must be empty."""
        from .backup import BackupError, restore

        db.session.remove()
        db.engine.dispose()
        try:
            restore(app.config["SQLALCHEMY_DATABASE_URI"], dump)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo("Restored. Now run `flask audit-verify` and `flask receipts-verify`.")

    @app.cli.command("audit-verify")
    def audit_verify() -> None:
        """Check the audit log's hash chain; exit 1 if it was tampered with."""
        report = audit.verify()
        if report.ok:
            click.echo(f"Audit chain intact: {report.checked} entries.")
        else:
            click.echo(f"Audit chain BROKEN at entry {report.first_bad_id} ({report.problem}).")
            raise SystemExit(1)
