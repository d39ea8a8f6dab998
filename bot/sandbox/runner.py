"""`dti-bot sandbox`: migrate, seed the demo province if empty, start the emulator, the bot and the
web chat page, all on this machine. Its data lives apart from production, in <DTI_DATA_DIR>/sandbox."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from bot.app import background_jobs, create_bot, create_dispatcher, run_polling
from bot.campaign_calendar import TIMEZONE, is_working_day, local_date, working_day_on_or_before
from bot.clock import Clock
from bot.i18n import _
from bot.render.campaign.reminder_policy import WEEKDAYS
from bot.render.labels import role_label
from bot.render.numbers import vn_date, vn_datetime
from bot.sandbox.server import CLIENT_API, SANDBOX_TOKEN, build_app
from bot.scheduler import Jobs
from bot.services.campaign.reminders import next_reminder, policy_of
from bot.services.demo.data import COMMUNES, DEPARTMENTS, PERSONAS
from bot.services.demo.seed import seed_demo
from bot.settings import Settings
from scoring.states import PeriodState
from storage.db import Database, default_url
from storage.files import EvidenceStore
from storage.migrate import upgrade
from storage.models import Period, Unit

logger = logging.getLogger(__name__)
MORNING = time(8, 0)  # the clock controls land at 08:00 local time: inside the reminders' working hours


class PortBusy(Exception):
    """The sandbox's port is taken (another sandbox, or any program) or not allowed to this user."""

    def __init__(self, host: str, port: int, in_use: bool) -> None:
        super().__init__(f"{host}:{port}")
        self.host, self.port, self.in_use = host, port, in_use


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
    clock = Clock()
    app, state, _faults = build_app(SANDBOX_TOKEN, personas())
    state.now = lambda: clock.now().timestamp()  # the chat shows messages at the bot's time
    runner = await _serve(app, host, port)  # first: a busy port is said before anything else is done
    folder = config.data_dir / "sandbox"
    db = Database(default_url(folder))
    store = EvidenceStore(folder / "evidence")
    try:
        await upgrade(db)
        async with db.read_session() as session:
            empty = (await session.execute(select(func.count()).select_from(Unit))).scalar_one() == 0
        if empty:
            report = await seed_demo(db, store, now=clock.now())
            logger.info("demo province seeded: %s units, period %s", report.units, report.period_id)
        api_url = f"http://{host}:{port}"
        sandbox_settings = config.model_copy(update={"data_dir": folder, "telegram_api_url": api_url})
        bot = create_bot(SANDBOX_TOKEN, api_url)
        dispatcher = create_dispatcher(db, store, sandbox_settings, clock)
        async with background_jobs(db, bot, SANDBOX_TOKEN, sandbox_settings, clock) as jobs:
            app[CLIENT_API].clock_control = SandboxClock(clock, db, jobs, folder)
            print(
                _("Sandbox ready: open {url} in a browser and pick a persona (Ctrl+C to stop).").format(
                    url=f"{api_url}/"
                ),
                flush=True,
            )
            await run_polling(bot, dispatcher)
    finally:
        await runner.cleanup()
        await db.dispose()


async def _serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, shutdown_timeout=2.0)  # long polls in flight must not hold the exit
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise PortBusy(host, port, exc.errno == errno.EADDRINUSE) from exc
        raise
    return runner


async def run_emulator(host: str, port: int) -> None:
    """`dti-bot sandbox --emulator-only`: only the Bot API emulator and the chat page, until Ctrl+C or
    SIGTERM. An installation rehearses against it with DTI_TELEGRAM_API_URL and the sandbox token."""
    app, _state, _faults = build_app(SANDBOX_TOKEN, personas())
    runner = await _serve(app, host, port)
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


class SandboxClock:
    """The chat page's clock controls: where the bot's clock stands, and moves that land where
    something happens: the next working morning (reminders go out in working hours of working
    days), or the morning the open period's deadline reminder goes out."""

    def __init__(self, clock: Clock, db: Database, jobs: Jobs, folder: Path | None = None) -> None:
        self.clock, self.db, self.jobs, self.folder = clock, db, jobs, folder  # folder: the sandbox's data

    def _start_again(self, message: str) -> str:
        if self.folder is None:
            return message
        hint = _("To start again with fresh demo data, stop the sandbox and delete {folder}.")
        return f"{message} {hint.format(folder=self.folder)}"

    def view(self) -> dict[str, Any]:
        now = self.clock.now()
        local = now.astimezone(TIMEZONE)
        weekday = _(WEEKDAYS[local.weekday()])
        label = f"{weekday} {local:%d/%m/%Y %H:%M}"
        return {"now": now.isoformat(), "epoch": now.timestamp(), "label": label}

    async def move(self, where: str) -> dict[str, Any]:
        if where == "deadline":
            deadline = await self._open_deadline()
            if deadline is None:
                return {
                    **self.view(),
                    "message": self._start_again(_("No period is open: there is no deadline to move to.")),
                }
            # The deadline's reminder goes out on the working day on or before it.
            target = datetime.combine(working_day_on_or_before(deadline), MORNING, tzinfo=TIMEZONE)
            if target <= self.clock.now():
                return {
                    **self.view(),
                    "message": self._start_again(
                        _("The bot's clock is already at or past the deadline ({date}).").format(date=vn_date(deadline))
                    ),
                }
        else:
            target = next_working_morning(self.clock.now())
        self.clock.move_to(target)
        planned = await self.jobs.plan_reminders()
        digests = await self.jobs.plan_digests()
        view = self.view()
        logger.info("clock moved to %s: %s reminders and %s digests planned", view["label"], planned, digests)
        if planned:
            message = _("The bot's clock: {when}. Reminders planned now: {count}.").format(
                when=view["label"], count=planned
            )
        elif (upcoming := await self._next_reminder()) is not None:
            message = _("The bot's clock: {when}. No reminder is due today; the next one: {next}.").format(
                when=view["label"], next=vn_datetime(upcoming)
            )
        else:
            message = _("The bot's clock: {when}. No reminder is due any more.").format(when=view["label"])
        return {**view, "planned": planned, "message": message}

    async def _open_periods(self) -> list[Period]:
        async with self.db.read_session() as session:
            query = select(Period).where(Period.state == PeriodState.OPEN.value).order_by(Period.deadline)
            return list((await session.execute(query)).scalars())

    async def _open_deadline(self) -> date | None:
        periods = await self._open_periods()
        return periods[0].deadline if periods else None

    async def _next_reminder(self) -> datetime | None:
        """When the next reminder step of an open period is due, from the day after the clock's."""
        tomorrow = datetime.combine(local_date(self.clock.now()) + timedelta(days=1), time(0), tzinfo=TIMEZONE)
        found = [
            step[0]
            for period in await self._open_periods()
            if (step := next_reminder(policy_of(period.reminder_policy), period.deadline, tomorrow)) is not None
        ]
        return min(found, default=None)


def next_working_morning(now: datetime) -> datetime:
    """08:00 local time of the first working day (not a weekend, not a Vietnamese holiday) after the
    campaign's date at `now`."""
    day = local_date(now) + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, MORNING, tzinfo=TIMEZONE)
