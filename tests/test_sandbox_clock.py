"""The sandbox's clock controls: "⏩ +1 ngày" lands on the next working morning (weekends and Vietnamese
holidays skipped) so that a reminder due that day goes out, "⏩ Hạn chót" on the deadline's morning;
the clock never runs backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.campaign_calendar import TIMEZONE
from bot.clock import Clock
from bot.sandbox.runner import SandboxClock, next_working_morning
from bot.scheduler import Jobs
from bot.services.demo.seed import seed_demo


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


@pytest.mark.parametrize(
    ("now", "morning"),
    [
        (local(2026, 12, 1, 2, 20), local(2026, 12, 2, 8)),  # before dawn: the next day, not today
        (local(2026, 12, 4, 15), local(2026, 12, 7, 8)),  # Friday afternoon: Monday
        (local(2027, 2, 3, 10), local(2027, 2, 11, 8)),  # the eve of Tết: after its days off
        (local(2026, 8, 28, 16), local(2026, 9, 3, 8)),  # National Day and the day off before it
    ],
)
def test_the_next_working_morning_skips_weekends_and_holidays(now, morning):
    assert next_working_morning(now.astimezone(UTC)) == morning


def test_the_clock_moves_forward_only():
    clock = Clock()
    later = clock.now() + timedelta(days=3)
    assert abs((clock.move_to(later) - later).total_seconds()) < 1
    assert clock.move_to(later - timedelta(days=2)) >= later  # an instant already past: no move


async def test_one_tap_on_a_reminder_morning_plans_the_reminders_and_the_deadline_tap_lands_on_its_morning(db, store):
    clock = Clock()
    clock.move_to(local(2026, 11, 30, 10))  # Monday: the demo period's deadline is Monday 07/12
    await seed_demo(db, store, now=clock.now())
    controls = SandboxClock(clock, db, Jobs(db, None, None, clock))

    clock.move_to(local(2026, 12, 2, 10))
    quiet = await controls.move("next_morning")  # Thursday 03/12: no step of the policy that day
    assert quiet["label"] == "T5 03/12/2026 08:00" and quiet["planned"] == 0
    assert quiet["message"].endswith("lần nhắc tiếp theo: 07:30 04/12/2026.")

    due = await controls.move("next_morning")  # Friday 04/12: 3 days before (and Sunday's 1 day before)
    assert due["label"] == "T6 04/12/2026 08:00" and due["planned"] > 0
    assert due["message"] == f"Đồng hồ của bot: T6 04/12/2026 08:00. Số nhắc hạn vừa lên lịch: {due['planned']}."

    deadline = await controls.move("deadline")
    assert deadline["label"] == "T2 07/12/2026 08:00" and deadline["planned"] > 0
    again = await controls.move("deadline")
    assert again["label"] == "T2 07/12/2026 08:00" and "đã đến hoặc đã qua hạn chót (07/12/2026)" in again["message"]
