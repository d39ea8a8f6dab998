"""`dti-bot run` (the bot against Telegram or any Bot API) and `dti-bot sandbox` (all offline)."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Annotated

import typer

from bot.cli.common import settings
from bot.cli.output import fail
from bot.i18n import _
from bot.logs import setup_logging
from bot.settings import Settings
from storage.db import Database, redacted
from storage.migrate import upgrade

logger = logging.getLogger(__name__)


def run(
    webhook_url: Annotated[
        str | None, typer.Option(help="Public HTTPS base URL: use a webhook instead of polling.")
    ] = None,
    host: Annotated[str, typer.Option(help="Webhook listen address.")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="Webhook listen port.")] = 8080,
) -> None:
    """Run the bot: long polling by default, or a webhook with a secret token (also serves /health)."""
    config = settings()
    if config.bot_token is None:
        fail(_("DTI_BOT_TOKEN is not set (see .env.example)."))
    token = config.bot_token.get_secret_value()
    setup_logging(config.log_level, config.log_json, secrets=[token])
    asyncio.run(_run(config, token, webhook_url, host, port))


async def _run(config: Settings, token: str, webhook_url: str | None, host: str, port: int) -> None:
    # The Telegram side is imported here, not at the top: admin commands (export, import…) stay light.
    from bot.app import background_jobs, create_bot, create_dispatcher, run_polling, run_webhook, webhook_secret
    from bot.clock import Clock
    from storage.files import EvidenceStore

    db = Database(config.url)
    await upgrade(db)
    logger.info("database %s migrated; bot API at %s", redacted(config.url), config.telegram_api_url)
    bot = create_bot(token, config.telegram_api_url)
    dispatcher = create_dispatcher(db, EvidenceStore(config.evidence_dir), config)
    # What start-up built (models, routers, the ORM's mappings) lives as long as the process: kept
    # out of the garbage collector's generations, it is not walked again at every full collection.
    gc.collect()
    gc.freeze()
    try:
        async with background_jobs(db, bot, token, config, Clock()):
            if webhook_url:
                await run_webhook(bot, dispatcher, webhook_url, host, port, webhook_secret())
            else:
                await run_polling(bot, dispatcher)
    finally:
        await db.dispose()


def sandbox(
    host: Annotated[str, typer.Option(help="Address of the emulator and the chat page.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the emulator and the chat page.")] = 8081,
) -> None:
    """Run everything offline: Bot API emulator, the bot, a web chat page and demo data."""
    from bot.sandbox.runner import run_sandbox

    config = settings()
    setup_logging(config.log_level, config.log_json)
    asyncio.run(run_sandbox(config, host, port))
