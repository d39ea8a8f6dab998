"""What every command needs: settings, a migrated database, async running, error reporting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.cli.output import fail
from bot.i18n import _
from bot.render.errors import framework_error, service_error
from bot.services.errors import ServiceError
from bot.settings import Settings, SettingsError, env_file_exposed, load_settings, unknown_names
from scoring import FrameworkError
from storage.db import Database, redacted
from storage.files import EvidenceStore
from storage.migrate import current_revision, upgrade

T = TypeVar("T")
# Errors that mean "the database cannot be reached" when they come from the first connection.
UNREACHABLE = (OSError, TimeoutError, DBAPIError)

_explicit_env_file: Path | None = None
_announced = False


def use_env_file(path: Path | None) -> None:
    """`dti-bot --env-file PATH …`: the settings of every command of this process come from PATH."""
    global _explicit_env_file
    _explicit_env_file = path


def _settings_messages() -> dict[str, str]:
    return {
        "env_file_missing": _("The settings file {path} does not exist."),
        "env_file_unreadable": _(
            "The settings file {path} cannot be read by this user: run the command as the bot's user (sudo -u dti …)."
        ),
        "database_twice": _(
            "Set either DTI_DATABASE_URL or DTI_DB_HOST (with DTI_DB_USER, DTI_DB_PASSWORD, DTI_DB_NAME), not both."
        ),
        "db_host_missing": _("{names} are set but DTI_DB_HOST is not: set DTI_DB_HOST too, or remove them."),
        "database_url_at": _(
            "DTI_DATABASE_URL holds more than one @: write the password URL-encoded (@ as %40), or give it "
            "in DTI_DB_PASSWORD with DTI_DB_HOST, DTI_DB_USER and DTI_DB_NAME."
        ),
        "webhook_url_scheme": _("DTI_WEBHOOK_URL must be a full address starting with https:// (not “{url}”)."),
        "invalid": _("A setting has an invalid value: {error}"),
    }


def settings(*, announce: bool = True) -> Settings:
    """The settings (see bot.settings for where they come from). The first call of a command says on
    stderr which database it uses, and warns of names no setting reads and of an exposed env file."""
    global _announced
    try:
        config = load_settings(_explicit_env_file)
    except SettingsError as exc:
        fail(_settings_messages()[exc.reason].format(**exc.details))
    if announce and not _announced:
        _announced = True
        for name in unknown_names(config):
            typer.echo(
                _("Warning: {name} is not a setting of dti-bot and is ignored (see .env.example).").format(name=name),
                err=True,
            )
        if env_file_exposed(config):
            typer.echo(
                _("Warning: other users can read the settings file {path}: run chmod 600 {path}.").format(
                    path=config.env_file
                ),
                err=True,
            )
        typer.echo(
            _("Database: {url} (settings: {source})").format(url=redacted(config.url), source=settings_source(config)),
            err=True,
        )
    return config


def settings_source(config: Settings) -> str:
    return str(config.env_file) if config.env_file else _("environment variables only")


def sqlite_file(config: Settings) -> Path | None:
    """The SQLite file of the settings' database (None for PostgreSQL or an in-memory database)."""
    url = make_url(config.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def database_missing(config: Settings) -> bool:
    """The settings name a SQLite file that does not exist (opening it would create an empty one)."""
    path = sqlite_file(config)
    return path is not None and not path.is_file()


def _missing_message(config: Settings) -> str:
    return _(
        "There is no database at {url}: nothing was done. Check the settings ({source}); "
        "to create a new database, run `dti-bot db upgrade --create`."
    ).format(url=redacted(config.url), source=settings_source(config))


def unreachable_message(config: Settings, exc: BaseException) -> str:
    return _("The database {url} cannot be reached ({error}). Check the settings ({source}) and the server.").format(
        url=redacted(config.url), error=one_line(exc), source=settings_source(config)
    )


def one_line(exc: BaseException) -> str:
    """An error in a few words for an operator: the driver's own exception when there is one."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0][:200]}" if text else type(orig).__name__


def run_with_db(work: Callable[[Database, Settings], Awaitable[T]], *, migrate: bool = True, create: bool = False) -> T:
    """Run `work` on a migrated database; domain errors become a message and exit code 2.
    A database that does not exist yet (no SQLite file, or an empty PostgreSQL database) is created
    only with `create`: a command run with the wrong settings must not start an empty one."""
    config = settings()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not create and database_missing(config):
        fail(_missing_message(config))

    async def main() -> T:
        db = Database(config.url)
        try:
            try:
                revision = await current_revision(db)
            except UNREACHABLE as exc:
                fail(unreachable_message(config, exc))
            if revision is None and not create:
                fail(_missing_message(config))
            if migrate:
                await upgrade(db)
            return await work(db, config)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except ServiceError as exc:
        fail(service_error(exc))
    except FrameworkError as exc:
        fail(framework_error(exc))


def evidence_store(config: Settings) -> EvidenceStore:
    return EvidenceStore(config.evidence_dir)
