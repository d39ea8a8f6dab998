"""Vietnamese number and date forms: 801,91 — 1.000 — 72,6 % — 24/10/2023 (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from bot.campaign_calendar import TIMEZONE
from bot.wording import vn_number, vn_points

__all__ = ["vn_date", "vn_datetime", "vn_number", "vn_percent", "vn_points"]


def vn_percent(value: Decimal, places: int = 1) -> str:
    return f"{vn_number(value, places)} %"


def vn_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=TIMEZONE)).astimezone(TIMEZONE).date()
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime) -> str:
    local = (value if value.tzinfo else value.replace(tzinfo=TIMEZONE)).astimezone(TIMEZONE)
    return local.strftime("%H:%M %d/%m/%Y")
