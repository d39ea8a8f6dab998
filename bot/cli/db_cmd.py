"""`dti-bot db upgrade | backup PATH`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_with_db, settings
from bot.cli.output import fail
from bot.i18n import _
from storage.backup import backup_sqlite, pg_dump_command
from storage.db import Database, redacted
from storage.migrate import current_revision, head_revision

app = typer.Typer(help="Database schema and backups.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Apply pending migrations (also done automatically on start)."""

    async def work(db: Database, _config: object) -> str | None:
        return await current_revision(db)

    revision = run_with_db(work)
    typer.echo(_("Database schema is up to date (revision {revision}).").format(revision=revision or head_revision()))


@app.command("backup")
def backup_cmd(path: Annotated[Path, typer.Argument(help="Backup file to write.")]) -> None:
    """Online backup: SQLite is copied live; for PostgreSQL the pg_dump command is printed."""
    config = settings()
    if Database(config.url).is_sqlite:
        run_with_db(lambda db, cfg: _noop())  # make sure the file exists and is migrated
        try:
            size = backup_sqlite(config.url, path)
        except FileNotFoundError:
            fail(_("The database file does not exist: {url}").format(url=redacted(config.url)))
        typer.echo(_("Backup written: {path} ({size} bytes).").format(path=path, size=size))
    else:
        typer.echo(_("For PostgreSQL, run:"))
        typer.echo(pg_dump_command(config.url, path))


async def _noop() -> None:
    return None
