"""Vietnamese words for the codes the bot stores, and the Vietnamese form of numbers, wherever a person
reads them: on the screens (bot.render.labels and bot.render.numbers re-export these) and in the files the
bot writes and reads (bot.services: the export, the sheets an administrator imports), which may not
import bot.render. Pure: gettext and scoring only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.i18n import _
from scoring import SubIndex, parse_decimal
from scoring.numbers import quantize
from scoring.states import AnswerStatus


def vn_number(value: Decimal | int, places: int = 2, *, trim: bool = False) -> str:
    """801.905 → "801,91"; 1000 → "1.000" (places=0). `trim` drops a zero fraction (20 → "20")."""
    q = quantize(Decimal(value), places)
    if trim and q == q.to_integral_value():
        q = quantize(q, 0)
        places = 0
    sign = "-" if q < 0 else ""
    text = format(abs(q), "f")
    whole, _sep, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if places > 0 else f"{sign}{grouped}"


def vn_points(value: Decimal) -> str:
    """Points as shown to people: two decimals, whole numbers without them (7 → "7", 7.5 → "7,5")."""
    q = quantize(value, 2)
    if q == q.to_integral_value():
        return vn_number(q, 0)
    return vn_number(q, 2).rstrip("0")


def typed_number(value: Any) -> str:
    """A number exactly as stored, written the Vietnamese way: 1234567.5 → "1.234.567,5"."""
    number = parse_decimal(value)
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return vn_number(number, places)


def role_label(role: str) -> str:
    return {
        "focal_point": _("focal point"),
        "leader": _("leader"),
        "reviewer": _("reviewer"),
        "coordinator": _("coordinator"),
        "admin": _("administrator"),
    }.get(role, role)


def answer_status_label(status: str) -> str:
    return {
        AnswerStatus.DRAFT: _("not submitted"),
        AnswerStatus.SUBMITTED: _("submitted"),
        AnswerStatus.NEEDS_SUPPLEMENT: _("sent back for supplement"),
        AnswerStatus.ACCEPTED: _("accepted"),
    }.get(status, status)


def evidence_kind_label(kind: str) -> str:
    """How a piece of evidence was given (storage.models.EVIDENCE_KINDS)."""
    return {
        "photo": _("photo"),
        "document": _("file"),
        "link": _("link"),
        "document_ref": _("cited document"),
    }.get(kind, kind)


def history_action_label(action: str) -> str:
    """A change in an answer's audit trail (storage.models.AnswerHistory.action)."""
    return {
        "answer": _("answered"),
        "clear": _("answer cleared"),
        "submit": _("submitted"),
        "review": _("appraised"),
        "evidence_add": _("evidence added"),
        "evidence_remove": _("evidence removed"),
        "reopen": _("changed after appraisal: back to appraisal"),
        "explanation": _("explanation"),
        "returned": _("returned by the unit's leader"),
    }.get(action, action)


def answer_words(sub: SubIndex, raw: dict[str, Any] | None) -> str:
    """A stored answer in words and numbers, as the item's screen shows it (plain text, no markup):
    "Có", "87/170 hộ (51,2 %)", the chosen option's label, the criteria met. Raises (KeyError,
    ArithmeticError, ValueError…) for a value that no longer fits the item."""
    if raw is None:
        return _("not answered")
    kind = sub.method.kind
    unit = f" {sub.unit}" if sub.unit else ""
    if kind == "yes_no":
        return _("Yes") if raw.get("yes") else _("No")
    if kind == "options":
        return next(o.label for o in sub.method.options if o.code == raw.get("option"))
    if kind == "criteria":
        chosen = [c.name for c in sub.criteria if c.code in raw.get("criteria", [])]
        return "; ".join(chosen) if chosen else _("none of the criteria")
    if kind == "ratio":
        a, b = parse_decimal(raw["a"]), parse_decimal(raw["b"])
        share = f" ({vn_number(a / b * 100, 1)} %)" if b else ""
        return f"{typed_number(a)}/{typed_number(b)}{unit}{share}"
    if kind == "count_tiers":
        return f"{typed_number(raw['count'])}{unit}"
    if kind == "minmax":
        return f"{typed_number(raw['value'])}{unit}"
    raise ValueError(kind)
