"""What every command needs: settings, a migrated database, async running, error reporting.

Imported by every command module, so it imports nothing heavy at the top: the settings (pydantic),
the database (SQLAlchemy) and the services are imported when a command uses them, and
`dti-bot --help` or a mistyped option answers at once (bench/cli_startup.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from bot.cli.output import fail, json_logging
from bot.i18n import _

if TYPE_CHECKING:
    from bot.settings import Settings
    from storage.db import Database
    from storage.files import EvidenceStore

T = TypeVar("T")


def unreachable_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean "the database cannot be reached" when they come from the first connection."""
    from sqlalchemy.exc import DBAPIError

    return (OSError, TimeoutError, DBAPIError)


def __getattr__(name: str) -> object:
    if name == "UNREACHABLE":  # the tuple of unreachable_errors(), built on first use (SQLAlchemy is heavy)
        return unreachable_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        "webhook_secret_chars": _(
            "DTI_WEBHOOK_SECRET must be 16 to 256 characters among A-Z, a-z, 0-9, _ and - (Telegram's rule)."
        ),
        "evidence_bucket_missing": _(
            "{names} are set but DTI_EVIDENCE_BUCKET is not: set the bucket too, or remove them."
        ),
        "invalid": _("A setting has an invalid value: {error}"),
    }


def settings(*, announce: bool = True) -> Settings:
    """The settings (see bot.settings for where they come from). The first call of a command says on
    stderr which database it uses, and warns of names no setting reads and of an exposed env file."""
    from bot.settings import SettingsError, load_settings

    try:
        config = load_settings(_explicit_env_file)
    except SettingsError as exc:
        fail(_settings_messages()[exc.reason].format(**exc.details))
    if announce:
        announce_settings(config)
    return config


def announce_settings(config: Settings) -> None:
    """Say once on stderr which database the command uses, and warn of names no setting reads and of
    an exposed env file. With JSON logs set up (`run`), the same is logged (in English) as JSON lines."""
    from bot.settings import env_file_exposed, unknown_names
    from storage.db import redacted

    global _announced
    if _announced:
        return
    _announced = True
    if json_logging():
        log = logging.getLogger("bot.settings")
        for name in unknown_names(config):
            log.warning("%s is not a setting of dti-bot and is ignored (see .env.example)", name)
        if env_file_exposed(config):
            log.warning("other users can read the settings file %s: run chmod 600 on it", config.env_file)
        log.info("database %s (settings: %s)", redacted(config.url), config.env_file or "environment variables only")
        return
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


def settings_source(config: Settings) -> str:
    return str(config.env_file) if config.env_file else _("environment variables only")


def sqlite_file(config: Settings) -> Path | None:
    """The SQLite file of the settings' database (None for PostgreSQL or an in-memory database)."""
    from sqlalchemy.engine import make_url

    url = make_url(config.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def database_missing(config: Settings) -> bool:
    """The settings name a SQLite file that does not exist (opening it would create an empty one)."""
    path = sqlite_file(config)
    return path is not None and not path.is_file()


def _missing_message(config: Settings) -> str:
    from storage.db import redacted

    return _(
        "There is no database at {url}: nothing was done. Check the settings ({source}); "
        "to create a new database, run `dti-bot db upgrade --create`."
    ).format(url=redacted(config.url), source=settings_source(config))


def unreachable_message(config: Settings, exc: BaseException) -> str:
    from storage.db import redacted

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
    import asyncio

    from bot.render.errors import framework_error, service_error
    from bot.services.errors import ServiceError
    from scoring import FrameworkError
    from storage.db import Database
    from storage.migrate import current_revision, upgrade

    config = settings()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not create and database_missing(config):
        fail(_missing_message(config))

    async def main() -> T:
        db = Database(config.url)
        try:
            try:
                revision = await current_revision(db)
            except unreachable_errors() as exc:
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
    """The local folder <DTI_DATA_DIR>/evidence, or the S3 bucket of DTI_EVIDENCE_BUCKET."""
    from storage.files import EvidenceStore
    from storage.s3 import S3EvidenceStore  # boto3 itself only when the bucket is used

    location = config.evidence_s3
    if location is None:
        return EvidenceStore(config.evidence_dir)

    return S3EvidenceStore(location, config.data_dir / "evidence-tmp")
