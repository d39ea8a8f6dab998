"""Vietnamese number and date forms: 801,91 — 1.000 — 72,6 % — 24/10/2023 (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from scoring.numbers import quantize

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def vn_number(value: Decimal | int, places: int = 2, *, trim: bool = False) -> str:
    """801.905 → "801,91"; 1000 → "1.000" (places=0). `trim` drops a zero fraction (20 → "20")."""
    q = quantize(Decimal(value), places)
    if trim and q == q.to_integral_value():
        q = quantize(q, 0)
        places = 0
    sign = "-" if q < 0 else ""
    text = format(abs(q), "f")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if places > 0 else f"{sign}{grouped}"


def vn_points(value: Decimal) -> str:
    """Points as shown to people: two decimals, whole numbers without them (7 → "7", 7.5 → "7,5")."""
    q = quantize(value, 2)
    if q == q.to_integral_value():
        return vn_number(q, 0)
    return vn_number(q, 2).rstrip("0")


def vn_percent(value: Decimal, places: int = 1) -> str:
    return f"{vn_number(value, places)} %"


def vn_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=VN_TZ)).astimezone(VN_TZ).date()
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime) -> str:
    local = (value if value.tzinfo else value.replace(tzinfo=VN_TZ)).astimezone(VN_TZ)
    return local.strftime("%H:%M %d/%m/%Y")
