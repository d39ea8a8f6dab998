"""Vietnamese number and date forms: 801,91 — 1.000 — 72,6 % — 24/10/2023 (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from bot.campaign_calendar import TIMEZONE
from bot.wording import vn_number, vn_points
from scoring.numbers import quantize

__all__ = ["shown_change", "vn_date", "vn_datetime", "vn_number", "vn_percent", "vn_points"]


def shown_change(before: Decimal, after: Decimal, places: int) -> tuple[str, str, Decimal]:
    """Two figures as shown (each rounded to `places`, e.g. 53,83 and 60,49) and the change between
    them computed from those rounded figures (6,66), so that what a screen shows adds up and can be
    recomputed by the reader — not the exact change rounded on its own (6,67). Write the change with
    `vn_number(change, places)`: the same form as the two figures."""
    shown_before, shown_after = quantize(Decimal(before), places), quantize(Decimal(after), places)
    return vn_number(shown_before, places), vn_number(shown_after, places), shown_after - shown_before


def vn_percent(value: Decimal, places: int = 1) -> str:
    return f"{vn_number(value, places)} %"


def vn_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=TIMEZONE)).astimezone(TIMEZONE).date()
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime) -> str:
    local = (value if value.tzinfo else value.replace(tzinfo=TIMEZONE)).astimezone(TIMEZONE)
    return local.strftime("%H:%M %d/%m/%Y")
