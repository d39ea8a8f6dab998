"""`dti-bot run` (the bot against Telegram or any Bot API) and `dti-bot sandbox` (all offline)."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import ExitStack
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    announce_settings,
    evidence_store,
    settings,
    unreachable_errors,
    unreachable_message,
)
from bot.cli.output import fail
from bot.i18n import _
from bot.logs import setup_logging

if TYPE_CHECKING:  # the database and the settings are imported when a command runs (a fast --help)
    from bot.settings import Settings
    from storage.db import Database

logger = logging.getLogger(__name__)


def run(
    webhook_url: Annotated[
        str | None,
        typer.Option(help="Public HTTPS base URL: use a webhook instead of polling (default: DTI_WEBHOOK_URL)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Webhook listen address (the image listens on 0.0.0.0).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Webhook listen port.")] = 8080,
) -> None:
    """Run the bot: long polling by default, or a webhook with a secret token (also serves /health)."""
    from aiogram.exceptions import TelegramUnauthorizedError

    config = settings(announce=False)
    if config.bot_token is None:
        fail(_("DTI_BOT_TOKEN is not set (see .env.example)."))
    token = config.bot_token.get_secret_value()
    setup_logging(config.log_level, config.log_json, secrets=[token, _webhook_secret(config, token)])
    announce_settings(config)  # after the logging: with JSON logs, as JSON lines
    with ExitStack() as stack:
        _hold_data_lock(stack, config.url, config)
        try:
            asyncio.run(_run(config, token, webhook_url or config.webhook_url, host, port))
        except TelegramUnauthorizedError:
            fail(
                _(
                    "The Bot API refused the token (401): it was revoked or mistyped. "
                    "Get the token from @BotFather and set DTI_BOT_TOKEN."
                )
            )


def _webhook_secret(config: Settings, token: str) -> str:
    from bot.app import webhook_secret

    return webhook_secret(token, config.webhook_secret.get_secret_value() if config.webhook_secret else None)


def _hold_data_lock(stack: ExitStack, url: str, config: Settings) -> None:
    """Held shared for the life of the bot: `dti-bot db restore` refuses while it is (storage.lock)."""
    from storage.lock import LockBusy, data_lock, lock_path

    try:
        stack.enter_context(data_lock(lock_path(url, config.data_dir), exclusive=False))
    except LockBusy:
        fail(_("A database restore is in progress on this data folder: start the bot when it has finished."))
    except OSError as exc:
        logger.warning("data folder lock unavailable (%s): `dti-bot db restore` cannot see this bot", exc)


async def _run(config: Settings, token: str, webhook_url: str | None, host: str, port: int) -> None:
    # The Telegram side is imported here, not at the top: admin commands (export, import…) stay light.
    from bot.app import background_jobs, create_bot, create_dispatcher, run_polling, run_webhook
    from bot.clock import Clock
    from storage.db import Database, redacted
    from storage.migrate import upgrade

    db = Database(config.url)
    try:
        await upgrade(db)  # the first run creates the database
    except unreachable_errors() as exc:
        await db.dispose()
        fail(unreachable_message(config, exc))
    logger.info("database %s migrated; bot API at %s", redacted(config.url), config.telegram_api_url)
    store = evidence_store(config)
    await _check_evidence_store(db, store)
    bot = create_bot(token, config.telegram_api_url)
    clock = Clock()
    dispatcher = create_dispatcher(db, store, config, clock)
    # What start-up built (models, routers, the ORM's mappings) lives as long as the process: kept
    # out of the garbage collector's generations, it is not walked again at every full collection.
    gc.collect()
    gc.freeze()
    logger.info("mode: %s", "webhook" if webhook_url else "long polling")
    try:
        async with background_jobs(db, bot, token, config, clock):
            if webhook_url:
                await run_webhook(bot, dispatcher, webhook_url, host, port, _webhook_secret(config, token))
            else:
                await run_polling(bot, dispatcher)
    finally:
        await db.dispose()


async def _check_evidence_store(db: Database, store: object) -> None:
    """An S3 evidence store must answer before the bot takes updates (a wrong bucket or key is
    said at once, not at the first upload)."""
    from storage.s3 import S3EvidenceStore, bucket_reachable

    if not isinstance(store, S3EvidenceStore):
        return
    try:
        await asyncio.to_thread(bucket_reachable, store)
    except Exception as exc:
        await db.dispose()
        fail(
            _(
                "The evidence bucket {bucket} cannot be reached ({error}): "
                "check DTI_EVIDENCE_BUCKET, DTI_EVIDENCE_ENDPOINT and the keys."
            ).format(bucket=store.bucket, error=type(exc).__name__)
        )
    logger.info("evidence files in the S3 bucket %s", store.bucket)


def sandbox(
    host: Annotated[str, typer.Option(help="Address of the emulator and the chat page.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the emulator and the chat page.")] = 8081,
    emulator_only: Annotated[
        bool,
        typer.Option(
            "--emulator-only",
            help="Only the Bot API emulator and the chat page: rehearse `dti-bot run` and `doctor` without Telegram.",
        ),
    ] = False,
) -> None:
    """Run everything offline: Bot API emulator, the bot, a web chat page and demo data."""
    if (refused := _bind_refused(host, port)) is not None:  # said at once, before the bot is even imported
        fail(_port_busy_message(host, port, refused))
    from bot.sandbox.runner import PortBusy, run_emulator, run_sandbox
    from storage.db import default_url

    try:
        if emulator_only:  # no database, no bot: the installation under rehearsal brings its own
            setup_logging("INFO", False)
            asyncio.run(run_emulator(host, port))
            return
        config = settings(announce=False)  # the sandbox's database is its own, <DTI_DATA_DIR>/sandbox
        # The terminal shows the address, then what happened: not the migrations, nor each update.
        setup_logging(config.log_level, config.log_json, quiet=SANDBOX_QUIET)
        with ExitStack() as stack:
            _hold_data_lock(stack, default_url(config.data_dir / "sandbox"), config)
            asyncio.run(run_sandbox(config, host, port))
    except PortBusy as busy:
        fail(_port_busy_message(busy.host, busy.port, busy.in_use))
    except KeyboardInterrupt:  # Ctrl+C is how the sandbox is stopped
        return


SANDBOX_QUIET = ("alembic", "aiogram.event", "bot.polling")


def _port_busy_message(host: str, port: int, in_use: bool) -> str:
    other = _free_port_near(host, port)
    if in_use:
        return _(
            "Port {port} is already in use (another sandbox may be running): stop it, or choose another port: "
            "make sandbox PORT={other} (or dti-bot sandbox --port {other})."
        ).format(port=port, other=other)
    return _("Port {port} cannot be opened on {host}: choose another one, e.g. make sandbox PORT={other}.").format(
        port=port, host=host, other=other
    )


def _bind_refused(host: str, port: int) -> bool | None:
    """None when `host:port` can be listened on; else whether it is in use (True) or not allowed."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return None  # a name that does not resolve: aiohttp says so itself
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return None


def _free_port_near(host: str, port: int) -> int:
    start = max(port + 1, 1024)
    return next((p for p in range(start, start + 50) if _bind_refused(host, p) is None), 8181)
