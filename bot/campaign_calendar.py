"""The campaign's calendar: its timezone, its dates and its working days.

A campaign lives in Asia/Ho_Chi_Minh: "today" is the local date (a document dated today is valid from
00:00 local time, not from 07:00 when the UTC date turns), and a working day is a weekday that is not a
Vietnamese public holiday. The `holidays` package knows the lunar dates (Tết, the Hùng Kings), which
move every year.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the only place the campaign's timezone is named
UTC = ZoneInfo("UTC")
WORKDAYS = (0, 1, 2, 3, 4)


def local_date(now: datetime) -> date:
    """The campaign's date at the instant `now` (a naive instant is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(TIMEZONE).date()


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    from holidays.countries.vietnam import Vietnam  # a tenth of a second to import: only when asked

    return frozenset(Vietnam(years=year))


def is_holiday(day: date) -> bool:
    return day in _holidays(day.year)


def is_working_day(day: date, weekdays: Collection[int] = WORKDAYS) -> bool:
    return day.weekday() in weekdays and not is_holiday(day)


def working_day_on_or_before(day: date, weekdays: Collection[int] = WORKDAYS) -> date:
    """`day` itself when it is a working day, else the last working day before it."""
    if not weekdays:
        return day
    while not is_working_day(day, weekdays):
        day -= timedelta(days=1)
    return day


def working_days_between(after: date, until: date, weekdays: Collection[int] = WORKDAYS) -> int:
    """Working days in (after, until]."""
    return sum(1 for n in range(1, (until - after).days + 1) if is_working_day(after + timedelta(days=n), weekdays))


def tomorrow_at(now: datetime, at: time) -> datetime:
    """The campaign's next day after the instant `now`, at the local time `at` (an aware instant)."""
    return datetime.combine(local_date(now) + timedelta(days=1), at, tzinfo=TIMEZONE)


def working_days_after(day: date, count: int, weekdays: Collection[int] = WORKDAYS) -> date:
    """The `count`-th working day after `day` (e.g. a window of five working days from today)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day, weekdays):
            count -= 1
    return day
