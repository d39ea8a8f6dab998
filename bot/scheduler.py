"""APScheduler wiring: which job runs when. Jobs are fixed and idempotent; the database is the truth
(what was planned and sent lives in the outbox), so a restart neither loses nor repeats anything."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.campaign_calendar import TIMEZONE
from bot.clock import Clock
from bot.outbox_sender import OutboxSender
from bot.render.appraisal.notices import round_notice
from bot.render.campaign import notices
from bot.services.appraisal import notices as appraisal_notices
from bot.services.campaign import broadcasts, digest, outbox, reminders
from bot.services.campaign.outbox import NewMessage
from storage.db import Database

logger = logging.getLogger(__name__)


class Jobs:
    def __init__(self, db: Database, bot: Bot, sender: OutboxSender, clock: Clock) -> None:
        self.db, self.bot, self.sender, self.clock = db, bot, sender, clock
        self._shown: dict[int, str] = {}

    async def plan_reminders(self) -> int:
        """Queue the reminders due now (the dedupe key makes this safe to run any number of times)."""
        now = self.clock.now()
        due = await reminders.due_reminders(self.db, now)
        added = await outbox.enqueue(
            self.db,
            [
                NewMessage(
                    d.dedupe_key,
                    d.chat_id,
                    notices.as_payload(notices.reminder(d)),
                    d.person_id,
                    "reminder",
                    f"reminder:{d.period_id}",
                )
                for d in due
            ],
            now,
        )
        if added:
            logger.info("planned %s reminders", added)
        return added

    async def plan_digests(self) -> int:
        now = self.clock.now()
        due = await digest.due_digests(self.db, now)
        added = await outbox.enqueue(
            self.db,
            [
                NewMessage(
                    d.dedupe_key, d.chat_id, notices.as_payload(notices.digest(d)), d.person_id, "digest", "digest"
                )
                for d in due
            ],
            now,
        )
        if added:
            logger.info("planned %s weekly digests", added)
        return added

    async def plan_appraisal_notices(self) -> int:
        """Each unit's appraisal decisions, one message per unit per round, once the round settled."""
        return await appraisal_notices.plan_notices(self.db, round_notice, now=self.clock.now())

    async def drain_outbox(self) -> None:
        # Runs every second: it says something only when it sent something (APScheduler's own
        # "Running job…" lines are kept out of the log by bot.logs.setup_logging).
        sent = await self.sender.drain()
        if sent:
            logger.info("sent %s queued messages", sent)

    async def refresh_reports(self) -> None:
        """Keep each broadcast's delivery report message up to date, and show the final figures."""
        for report in await broadcasts.open_reports(self.db, self.clock.now()):
            text = notices.report(report)
            if self._shown.get(report.broadcast_id) == text:
                continue
            try:
                await self.bot.edit_message_text(
                    text, chat_id=report.chat_id, message_id=report.message_id, parse_mode="HTML"
                )
                self._shown[report.broadcast_id] = text
            except TelegramBadRequest as exc:
                if "not modified" not in exc.message:
                    logger.info("delivery report %s not updated: %s", report.broadcast_id, exc.message)


JOBS = ("plan_reminders", "drain_outbox", "refresh_reports", "plan_digests", "plan_appraisal_notices")


class QuietWhileFailing:
    """A job that fails the same way again and again (the database is down, the Bot API is
    unreachable) is logged once with its traceback, then only when it works again: a job that runs
    every second would otherwise write a traceback a second (~45 MB an hour) through an outage."""

    def __init__(self, name: str, job: Callable[[], Awaitable[object]]) -> None:
        self.name, self.job = name, job
        self.failing: str | None = None  # the kind of the failure being waited out
        self.failures = 0

    async def run(self) -> None:
        """The job, as APScheduler calls it (a coroutine function, so it runs on the loop)."""
        try:
            await self.job()
        except Exception as exc:
            kind = type(exc).__name__
            self.failures += 1
            if kind != self.failing:
                self.failing = kind
                logger.error("job %s failed (%s); the same failure is not logged again until it passes", self.name,
                             kind, exc_info=exc)  # fmt: skip
            return
        if self.failing is not None:
            logger.warning("job %s works again after %s failures (%s)", self.name, self.failures, self.failing)
            self.failing, self.failures = None, 0


def build_scheduler(jobs: Jobs) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=TIMEZONE)
    quiet = {name: QuietWhileFailing(name, getattr(jobs, name)).run for name in JOBS}
    common = {"max_instances": 1, "coalesce": True, "replace_existing": True, "misfire_grace_time": 60}
    scheduler.add_job(
        quiet["plan_reminders"],
        IntervalTrigger(minutes=15, timezone=TIMEZONE),
        id="plan_reminders",
        next_run_time=jobs.clock.now() + timedelta(seconds=5),
        **common,
    )
    scheduler.add_job(quiet["drain_outbox"], IntervalTrigger(seconds=1, timezone=TIMEZONE), id="drain_outbox", **common)
    scheduler.add_job(
        quiet["refresh_reports"], IntervalTrigger(seconds=2, timezone=TIMEZONE), id="broadcast_reports", **common
    )
    scheduler.add_job(
        quiet["plan_reminders"],
        CronTrigger(day_of_week="mon-fri", hour=7, minute=31, timezone=TIMEZONE),
        id="reminders_at_opening",
        **common,
    )
    scheduler.add_job(
        quiet["plan_appraisal_notices"],
        IntervalTrigger(minutes=10, timezone=TIMEZONE),
        id="appraisal_notices",
        **common,
    )
    scheduler.add_job(
        quiet["plan_digests"],
        CronTrigger(day_of_week="mon", hour=8, minute=0, timezone=TIMEZONE),
        id="weekly_digest",
        **{**common, "misfire_grace_time": 3600},
    )
    return scheduler
