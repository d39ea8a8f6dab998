"""`dti-bot sandbox`: migrate, seed the demo province if empty, start the emulator, the bot and the
web chat page, all on this machine. Its data lives apart from production, in <DTI_DATA_DIR>/sandbox."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bot.app import background_jobs, create_bot, create_dispatcher, run_polling
from bot.clock import Clock
from bot.i18n import _
from bot.render.labels import role_label
from bot.sandbox.server import CLIENT_API, SANDBOX_TOKEN, build_app
from bot.services.demo.data import COMMUNES, DEPARTMENTS, PERSONAS
from bot.services.demo.seed import seed_demo
from bot.settings import Settings
from storage.db import Database, default_url
from storage.files import EvidenceStore
from storage.migrate import upgrade
from storage.models import Unit

logger = logging.getLogger(__name__)


def personas() -> list[dict[str, Any]]:
    names = {code: name for code, name, *_rest in DEPARTMENTS} | dict(COMMUNES)
    out = [
        {
            "key": p.key,
            "telegram_id": p.telegram_id,
            "full_name": p.full_name,
            "role": role_label(p.role),
            "unit": names.get(p.unit_code or "", _("whole campaign")),
            "description": _(p.description),
        }
        for p in PERSONAS
    ]
    out.append(
        {
            "key": "stranger",
            "telegram_id": 799999,
            "full_name": "Người lạ",
            "role": "—",
            "unit": "—",
            "description": _("Someone without an invitation"),
        }
    )
    return out


async def run_sandbox(config: Settings, host: str, port: int) -> None:
    folder = config.data_dir / "sandbox"
    db = Database(default_url(folder))
    store = EvidenceStore(folder / "evidence")
    await upgrade(db)
    async with db.read_session() as session:
        empty = (await session.execute(select(func.count()).select_from(Unit))).scalar_one() == 0
    if empty:
        report = await seed_demo(db, store)
        logger.info("demo province seeded: %s units, period %s", report.units, report.period_id)
    app, _state, _faults = build_app(SANDBOX_TOKEN, personas())
    client_api = app[CLIENT_API]
    runner = web.AppRunner(app, shutdown_timeout=2.0)  # long polls in flight must not hold the exit
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    api_url = f"http://{host}:{port}"
    sandbox_settings = config.model_copy(update={"data_dir": folder, "telegram_api_url": api_url})
    bot = create_bot(SANDBOX_TOKEN, api_url)
    dispatcher = create_dispatcher(db, store, sandbox_settings)
    clock = Clock()
    print(
        _("Sandbox ready: open {url} in a browser and pick a persona (Ctrl+C to stop).").format(url=f"{api_url}/"),
        flush=True,
    )
    try:
        async with background_jobs(db, bot, SANDBOX_TOKEN, sandbox_settings, clock) as jobs:
            client_api.clock_hook = lambda days: _move_clock(clock, jobs, days)
            await run_polling(bot, dispatcher)
    finally:
        await runner.cleanup()
        await db.dispose()


async def run_emulator(host: str, port: int) -> None:
    """`dti-bot sandbox --emulator-only`: only the Bot API emulator and the chat page, until Ctrl+C or
    SIGTERM. An installation rehearses against it with DTI_TELEGRAM_API_URL and the sandbox token."""
    app, _state, _faults = build_app(SANDBOX_TOKEN, personas())
    runner = web.AppRunner(app, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    api_url = f"http://{host}:{port}"
    print(
        _(
            "Bot API emulator ready at {url} (chat page: {url}/). For the bot under rehearsal set "
            "DTI_TELEGRAM_API_URL={url} and DTI_BOT_TOKEN={token}. Ctrl+C to stop."
        ).format(url=api_url, token=SANDBOX_TOKEN),
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def _move_clock(clock: Clock, jobs: Any, days: float) -> str:
    """The sandbox's clock moves forward; reminders due at the new time are planned at once."""
    from datetime import timedelta

    now = clock.shift(timedelta(days=days))
    planned = await jobs.plan_reminders()
    return f"{now.isoformat()} ({planned})"
