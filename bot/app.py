"""Building the aiogram objects and running them (long polling or webhook)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand

from bot.clock import Clock
from bot.handlers import get_routers
from bot.i18n import N_, _
from bot.middlewares.actor import ActorMiddleware
from bot.middlewares.isolation import OnePerPerson
from bot.middlewares.updates import ExactlyOnceMiddleware
from bot.outbox import OutboxSender
from bot.polling import poll_until_stopped
from bot.retry import RetryMiddleware
from bot.scheduler import Jobs, build_scheduler
from bot.session import BotSession
from bot.settings import Settings
from storage.db import Database
from storage.files import EvidenceStore

logger = logging.getLogger(__name__)


def create_bot(token: str, api_url: str, retry: bool = True) -> Bot:
    """`retry=False` for the outbox sender, which handles 429 and 5xx itself (globally)."""
    session = BotSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    if retry:
        session.middleware(RetryMiddleware())
    return Bot(token=token, session=session)


@asynccontextmanager
async def background_jobs(db: Database, bot: Bot, token: str, settings: Settings, clock: Clock) -> AsyncIterator[Jobs]:
    """The scheduler and the outbox sender for the life of the bot; on the way out the sender
    finishes the messages it has claimed, so nothing is left half-sent."""
    sender_bot = create_bot(token, settings.telegram_api_url, retry=False)
    sender = OutboxSender(sender_bot, db, settings.outbox_rate, settings.outbox_stale_seconds)
    jobs = Jobs(db, bot, sender, clock)
    scheduler = build_scheduler(jobs)
    scheduler.start()
    try:
        yield jobs
    finally:
        scheduler.shutdown(wait=False)
        await sender.close()
        await sender_bot.session.close()


def create_dispatcher(db: Database, store: EvidenceStore, settings: Settings) -> Dispatcher:
    """One dispatcher. Conversation state lives in the database, so aiogram's FSM is switched off
    (a handler cannot even ask for it); updates of one person are handled one at a time."""
    dispatcher = Dispatcher(disable_fsm=True, db=db, store=store, settings=settings)
    dispatcher.update.outer_middleware(OnePerPerson())
    dispatcher.update.outer_middleware(ExactlyOnceMiddleware(db))
    actor = ActorMiddleware()
    dispatcher.message.outer_middleware(actor)
    dispatcher.callback_query.outer_middleware(actor)
    dispatcher.include_routers(*get_routers())
    return dispatcher


COMMANDS = [("tiep", N_("Continue the self-assessment")), ("menu", N_("Main menu")), ("help", N_("Help"))]


async def set_commands(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command=c, description=_(d)) for c, d in COMMANDS])


async def run_polling(bot: Bot, dispatcher: Dispatcher) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    await set_commands(bot)
    await poll_until_stopped(bot, dispatcher)


def webhook_secret() -> str:
    return secrets.token_urlsafe(32)


async def run_webhook(bot: Bot, dispatcher: Dispatcher, url: str, host: str, port: int, secret: str) -> None:
    """Serve Telegram's webhook (checked with a secret token) and /health."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from aiohttp import web

    app = web.Application()
    # handle_in_background=False: Telegram gets its 200 only once the update is handled, so a crash
    # means a retry (made safe by the exactly-once middleware) rather than a lost update.
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False).register(
        app, path="/telegram"
    )

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/health", health)
    setup_application(app, dispatcher, bot=bot)
    await set_commands(bot)
    await bot.set_webhook(
        url.rstrip("/") + "/telegram", secret_token=secret, allowed_updates=dispatcher.resolve_used_update_types()
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    logger.info("webhook mode: listening on %s:%s", host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
