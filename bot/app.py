"""Building the aiogram objects and running them (long polling or webhook)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand

from bot.clock import Clock
from bot.handlers import get_routers
from bot.i18n import N_, _
from bot.middlewares.actor import ActorMiddleware
from bot.middlewares.isolation import OnePerPerson
from bot.middlewares.notices import NoticeTaps
from bot.middlewares.updates import ExactlyOnceMiddleware
from bot.outbox_sender import OutboxSender
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
    sender = OutboxSender(sender_bot, db, settings.outbox_rate, settings.outbox_stale_seconds, clock)
    jobs = Jobs(db, bot, sender, clock)
    scheduler = build_scheduler(jobs)
    scheduler.start()
    try:
        yield jobs
    finally:
        scheduler.shutdown(wait=False)
        await sender.close()
        await sender_bot.session.close()


def create_dispatcher(db: Database, store: EvidenceStore, settings: Settings, clock: Clock | None = None) -> Dispatcher:
    """One dispatcher. Conversation state lives in the database, so aiogram's FSM is switched off
    (a handler cannot even ask for it); updates of one person are handled one at a time. Handlers
    get `clock` (the jobs' clock, which the sandbox can move) and pass `clock.now()` to use cases."""
    dispatcher = Dispatcher(disable_fsm=True, db=db, store=store, settings=settings, clock=clock or Clock())
    dispatcher.update.outer_middleware(OnePerPerson())
    dispatcher.update.outer_middleware(ExactlyOnceMiddleware(db))
    actor = ActorMiddleware()
    dispatcher.message.outer_middleware(actor)
    dispatcher.callback_query.outer_middleware(NoticeTaps())  # first: handlers never see a notice's mark
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


# -- Webhook ----------------------------------------------------------------------------------------
# Several replicas may serve the same webhook behind a load balancer (docs/deploy.md): they register
# the same URL with the same secret (DTI_WEBHOOK_SECRET, or one derived from the token), so each
# setWebhook is idempotent and any replica accepts what Telegram sends. Exactly-once handling across
# replicas rests on the processed-update record in the shared database (storage.updates).
DRAIN_SECONDS = 25.0  # at SIGTERM, how long requests in hand may take to finish (compose: 30 s grace)
HEALTH_TIMEOUT = 3.0


def webhook_secret(token: str, configured: str | None = None) -> str:
    """The secret token Telegram echoes in X-Telegram-Bot-Api-Secret-Token: the configured one, else
    derived from the bot token (the same on every replica, and nothing one can guess without it)."""
    if configured:
        return configured
    digest = hmac.new(token.encode(), b"dti-bot webhook secret v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")  # 43 characters of [A-Za-z0-9_-]


async def database_ready(db: Database, timeout: float = HEALTH_TIMEOUT) -> bool:
    """One round trip to the database, within `timeout` seconds."""
    try:
        async with asyncio.timeout(timeout), db.lean(write=False, snapshot=False) as sql:
            await sql.value("SELECT 1")
    except Exception as exc:  # whatever it is, this replica cannot serve updates now
        logger.warning("health: the database does not answer (%s)", type(exc).__name__)
        return False
    return True


class WebhookServer:
    """The aiohttp side of webhook mode: /telegram (Telegram's POSTs, checked with the secret) and
    /health (200 when the database answers, else 503 "not ready"). `drain()` stops listening, lets
    the requests in hand finish (their updates are handled and recorded before Telegram — or the
    proxy — gets the 200), then closes."""

    def __init__(self, bot: Bot, dispatcher: Dispatcher, db: Database, secret: str) -> None:
        from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
        from aiohttp import web

        self.db = db
        self.in_hand = 0
        self.idle = asyncio.Event()
        self.idle.set()
        self.draining = False
        self.app = web.Application(middlewares=[web.middleware(lambda request, handler: self._count(request, handler))])
        # handle_in_background=False: Telegram gets its 200 only once the update is handled, so a
        # crash means a retry (made safe by the exactly-once middleware) rather than a lost update.
        SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False).register(
            self.app, path="/telegram"
        )
        self.app.router.add_get("/health", self._health)
        setup_application(self.app, dispatcher, bot=bot)
        self.runner = web.AppRunner(self.app, shutdown_timeout=DRAIN_SECONDS)
        self.site: web.TCPSite | None = None

    async def start(self, host: str, port: int) -> None:
        from aiohttp import web

        await self.runner.setup()
        self.site = web.TCPSite(self.runner, host, port)
        await self.site.start()

    async def _count(self, request: Any, handler: Any) -> Any:
        """Counts the requests in hand, for the drain."""
        self.in_hand += 1
        self.idle.clear()
        try:
            return await handler(request)
        finally:
            self.in_hand -= 1
            if self.in_hand == 0:
                self.idle.set()

    async def _health(self, _request: Any) -> Any:
        from aiohttp import web

        if self.draining:
            return web.json_response({"status": "not ready", "reason": "stopping"}, status=503)
        if not await database_ready(self.db):
            return web.json_response({"status": "not ready", "database": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        self.draining = True
        if self.site is not None:
            await self.site.stop()  # new connections are refused: the proxy sends them to another replica
        try:
            await asyncio.wait_for(self.idle.wait(), timeout)
        except TimeoutError:
            logger.warning("webhook: %s requests still in hand after %.0f s; stopping anyway", self.in_hand, timeout)
        await self.runner.cleanup()


async def run_webhook(bot: Bot, dispatcher: Dispatcher, url: str, host: str, port: int, secret: str) -> None:
    """Serve Telegram's webhook and /health until SIGINT/SIGTERM, then drain (see WebhookServer)."""
    db: Database = dispatcher.workflow_data["db"]
    server = WebhookServer(bot, dispatcher, db, secret)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start(host, port)
        logger.info("webhook mode: listening on %s:%s", host, port)
        await set_commands(bot)
        # The same URL, secret and update types from every replica: registering again changes nothing.
        await bot.set_webhook(
            url.rstrip("/") + "/telegram", secret_token=secret, allowed_updates=dispatcher.resolve_used_update_types()
        )
        await stop.wait()
        logger.info("webhook mode: stopping; finishing the %s requests in hand", server.in_hand)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await server.drain()
        logger.info("stopped")
