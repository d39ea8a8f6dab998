"""`dti-bot db upgrade | backup PATH | restore BACKUP`."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.campaign_calendar import TIMEZONE
from bot.cli.common import run_with_db, settings
from bot.cli.output import fail
from bot.i18n import _
from bot.render.numbers import vn_number

if TYPE_CHECKING:  # storage (SQLAlchemy) is imported by the commands that use it: a fast --help
    from bot.settings import Settings
    from storage.backup import StagedRestore
    from storage.db import Database

app = typer.Typer(help="Database schema, backups and restores.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(
    create: Annotated[
        bool, typer.Option("--create", help="Create the database if there is none yet (a new installation).")
    ] = False,
) -> None:
    """Apply pending migrations (also done automatically on start)."""
    from storage.migrate import current_revision, head_revision

    async def work(db: Database, _config: object) -> str | None:
        return await current_revision(db)

    revision = run_with_db(work, create=create)
    typer.echo(_("Database schema is up to date (revision {revision}).").format(revision=revision or head_revision()))


@app.command("backup")
def backup_cmd(path: Annotated[Path, typer.Argument(help="Backup file to write.")]) -> None:
    """Online backup: SQLite is copied live; PostgreSQL is dumped with pg_dump (custom format) when it is
    installed, else its command is printed."""
    from storage.backup import backup_sqlite
    from storage.db import Database, redacted

    config = settings()
    if Database(config.url).is_sqlite:
        run_with_db(lambda _db, _cfg: _noop())  # make sure the file exists and is migrated
        previous = os.umask(0o077)  # the copy holds everything the database holds: its owner's only (0600)
        try:
            size = backup_sqlite(config.url, path)
        except FileNotFoundError:
            fail(_("The database file does not exist: {url}").format(url=redacted(config.url)))
        finally:
            os.umask(previous)
        typer.echo(_("Backup written: {path} ({size} bytes).").format(path=path, size=size))
    else:
        _backup_postgres(config, path)


def _backup_postgres(config: Settings, path: Path) -> None:
    from storage.backup import BackupError, backup_postgres, pg_dump_command, pg_tool

    run_with_db(lambda _db, _cfg: _noop())  # the database is there and migrated: never dump an empty one
    pg_dump = pg_tool("pg_dump")
    if pg_dump is None:
        typer.echo(_("pg_dump is not installed here (apt-get install postgresql-client). Run, where it is:"))
        typer.echo(pg_dump_command(config.url, path))
        typer.echo(_("From cron, give the password in ~/.pgpass (mode 600), not on the command line."))
        return
    try:
        size = backup_postgres(config.url, path, pg_dump)
    except BackupError as exc:
        fail(_("pg_dump failed: {problem}").format(problem=exc.problem))
    except OSError as exc:
        fail(_("pg_dump could not write {path}: {error}").format(path=path, error=_one_line(exc)))
    typer.echo(_("Backup written: {path} ({size} bytes).").format(path=path, size=size))


async def _noop() -> None:
    return None


def _restore_errors() -> dict[str, str]:
    return {
        "backup_missing": _("The backup file does not exist: {path}"),
        "backup_is_target": _("{path} is the database in use, not a backup."),
        "backup_not_sqlite": _("{path} is not a SQLite file: nothing was restored, the database is unchanged."),
        "backup_has_wal": _(
            "{wal} lies next to the backup: part of its data may be there. "
            "Make a single-file backup with `dti-bot db backup`; the database is unchanged."
        ),
        "backup_corrupt": _(
            "The backup {path} is damaged ({problem}): nothing was restored, the database is unchanged."
        ),
        "backup_not_dti": _("{path} is not a dti-bot database: nothing was restored, the database is unchanged."),
        "backup_newer": _(
            "The backup's schema ({revision}) is newer than this version of the bot ({head}): "
            "upgrade the bot first; the database is unchanged."
        ),
        "restore_failed": _("The restore failed ({error}); the old database is still in place."),
        "backup_not_pg_dump": _(
            "{path} is not a pg_dump file in custom format ({problem}): "
            "nothing was restored, the database is unchanged."
        ),
        "database_in_use": _(
            "{count} other connections use the database (a bot still running?): stop every bot, then restore; "
            "the database is unchanged."
        ),
    }


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


@app.command("restore")
def restore_cmd(
    backup: Annotated[Path, typer.Argument(help="Backup file (`dti-bot db backup`; PostgreSQL: a pg_dump file).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (for scripts).")] = False,
) -> None:
    """Restore a backup. Refuses while a bot runs on this data folder; the old database and its
    -wal/-shm are moved aside, never deleted; the copy is checked and migrated before it is put in place."""
    from sqlalchemy.engine import make_url

    from storage.lock import LockBusy, data_lock, lock_path

    config = settings()
    lock = lock_path(config.url, config.data_dir)
    try:
        with data_lock(lock, exclusive=True):
            if make_url(config.url).get_backend_name() == "sqlite":
                _restore_sqlite(config, backup, yes)
            else:
                _restore_postgres(config, backup, yes)
    except LockBusy:
        fail(
            _(
                "A bot is running on this data folder ({path} is held): stop it (systemctl stop dti-bot), then restore."
            ).format(path=lock)
        )
    except OSError as exc:
        fail(_restore_errors()["restore_failed"].format(error=_one_line(exc)))


def _restore_postgres(config: Settings, backup: Path, yes: bool) -> None:
    """pg_restore (when installed) after checks and a confirmation; the dump's schema is migrated."""
    from storage.backup import (
        RestoreError,
        other_sessions,
        pg_dump_check,
        pg_restore_command,
        pg_tool,
        restore_postgres,
    )
    from storage.db import redacted

    pg_restore = pg_tool("pg_restore")
    if pg_restore is None:
        typer.echo(_("pg_restore is not installed here. With every bot stopped, run:"))
        typer.echo(pg_restore_command(config.url, backup))
        typer.echo(_("then `dti-bot db upgrade`, `dti-bot evidence verify` and `dti-bot doctor`."))
        return
    try:
        pg_dump_check(backup, pg_restore)
        busy = run_with_db(lambda db, _cfg: other_sessions(db), migrate=False)
        if busy:
            raise RestoreError("database_in_use", count=busy)
        typer.echo(_("The backup is a pg_dump file of a dti-bot database: {path}.").format(path=backup.resolve()))
        if not yes and not _confirm(
            _(
                "Replace every table of the database {url} with the backup's? Rows written since the backup are lost."
            ).format(url=redacted(config.url))
        ):
            typer.echo(_("Restore cancelled: nothing was changed."))
            raise typer.Exit(1)
        restore_postgres(config.url, backup, pg_restore)
    except RestoreError as exc:
        fail(_restore_errors()[exc.reason].format(**exc.details))
    revision = asyncio.run(_migrate(config.url))
    typer.echo(
        _("Restored {target} from {backup}; schema {revision}.").format(
            target=redacted(config.url), backup=backup.resolve(), revision=revision
        )
    )
    typer.echo(
        _("Next: restore the evidence files, run `dti-bot evidence verify` and `dti-bot doctor`, then start the bot.")
    )


async def _migrate(url: str) -> str:
    from storage.db import Database
    from storage.migrate import current_revision, head_revision, upgrade

    db = Database(url)
    try:
        await upgrade(db)
        return await current_revision(db) or head_revision()
    finally:
        await db.dispose()


def _restore_sqlite(config: Settings, backup: Path, yes: bool) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.backup import RestoreError, commit_restore, discard_restore, stage_restore

    errors = _restore_errors()
    staged: StagedRestore | None = None
    try:
        staged = asyncio.run(stage_restore(backup, config.url))
        typer.echo(
            _("The backup is sound: {path} ({size} bytes, schema {revision}).").format(
                path=staged.backup, size=vn_number(staged.size, 0), revision=staged.revision
            )
        )
        if staged.migrated_to != staged.revision:
            typer.echo(
                _("Schema upgraded on the copy: {revision} → {head}.").format(
                    revision=staged.revision, head=staged.migrated_to
                )
            )
        if not yes and not _confirm(
            _("Replace the database {target} with this backup? The current one is moved aside, not deleted.").format(
                target=staged.target
            )
        ):
            typer.echo(_("Restore cancelled: nothing was changed."))
            raise typer.Exit(1)
        stamp = datetime.now(TIMEZONE).strftime("%Y%m%d-%H%M%S")
        result = commit_restore(staged, stamp)
        staged = None  # in place now: nothing left to discard
    except RestoreError as exc:
        fail(errors[exc.reason].format(**exc.details))
    except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
        fail(errors["restore_failed"].format(error=_one_line(exc)))
    finally:
        if staged is not None:
            discard_restore(staged)
    if result.aside is not None:
        typer.echo(
            _("The old database was moved to {folder} (nothing deleted): {files}.").format(
                folder=result.aside, files=", ".join(result.moved)
            )
        )
    else:
        typer.echo(_("There was no database at {target}: nothing to move aside.").format(target=result.target))
    if result.integrity != "ok":
        fail(_("The restored database fails its integrity check ({problem}).").format(problem=result.integrity))
    typer.echo(
        _("Restored {target} from {backup}; integrity check: ok; schema {revision}.").format(
            target=result.target, backup=backup.resolve(), revision=result.revision
        )
    )
    typer.echo(
        _("Next: restore the evidence files, run `dti-bot evidence verify` and `dti-bot doctor`, then start the bot.")
    )


def _confirm(question: str) -> bool:
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:  # end of input: no answer is no
        typer.echo()
        return False
