"""Messages the bot starts itself: reminders, broadcasts and their delivery reports, notices."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.numbers import vn_date, vn_datetime, vn_number
from bot.render.screen import Button, Screen, rows
from bot.services.campaign.broadcasts import Audiences, Created, Preview, Report
from bot.services.campaign.digest import Digest
from bot.services.campaign.reminders import DueReminder


def as_payload(screen: Screen) -> dict[str, Any]:
    """A screen as stored in the outbox (JSON)."""
    return {
        "text": screen.text,
        "rows": [[{"text": b.text, "action": b.action, "url": b.url} for b in row] for row in screen.rows],
    }


def from_payload(payload: dict[str, Any]) -> Screen:
    return Screen(
        payload["text"],
        tuple(tuple(Button(b["text"], b.get("action"), b.get("url")) for b in row) for row in payload.get("rows", [])),
    )


def time_left(days_left: int) -> str:
    """ "còn 3 ngày", "hôm nay là hạn chót", "đã quá hạn 2 ngày"."""
    if days_left > 0:
        return _("{days} days left").format(days=days_left)
    if days_left == 0:
        return _("today is the deadline")
    return _("{days} days overdue").format(days=-days_left)


def reminder(due: DueReminder) -> Screen:
    deadline = vn_date(due.deadline)
    when = time_left(due.days_left)
    if due.missing > 0:
        text = _("⏰ {unit} still has {missing}/{total} items unanswered, deadline {deadline} — {when}.").format(
            unit=escape(due.unit_name), missing=due.missing, total=due.total, deadline=deadline, when=when
        )
    else:
        text = _("⏰ {unit} has answered every item but not submitted yet, deadline {deadline} — {when}.").format(
            unit=escape(due.unit_name), deadline=deadline, when=when
        )
    return Screen(text, rows([Button(_("▶️ Continue the self-assessment"), menu("assess"))]))


def broadcast_message(text: str) -> str:
    return _("📣 <b>Message from the coordinator</b>") + "\n\n" + escape(text)


def ask_broadcast_text() -> Screen:
    return Screen(
        _("📣 Type the message to send (up to 3,500 characters)."), rows([Button(_("✖️ Cancel"), Action("bcx").pack())])
    )


def audience_label(audience: str) -> str:
    if audience.startswith("cohort:"):
        return _("focal points of cohort {cohort}").format(cohort=escape(audience[7:]))
    return {
        "focal_points": _("all focal points"),
        "behind": _("focal points of units that are behind"),
        "leaders": _("leaders of the units"),
    }.get(audience, audience)


def choose_audience(options: Audiences) -> Screen:
    buttons = [[Button(audience_label(a), Action("bca", arg=a).pack())] for a in ("focal_points", "behind", "leaders")]
    buttons += [
        [Button(audience_label(f"cohort:{code}"), Action("bca", arg=f"cohort:{code}").pack())]
        for code, _name in options.cohorts
    ]
    return Screen(_("Who should receive it?"), rows(*buttons, [Button(_("✖️ Cancel"), Action("bcx").pack())]))


def preview(view: Preview) -> Screen:
    text = "\n".join(
        [
            _("<b>Preview</b>"),
            "",
            broadcast_message(view.text),
            "",
            _("To: {audience} — {count} people in {units} units.").format(
                audience=audience_label(view.audience), count=view.recipients, units=view.units
            ),
        ]
    )
    return Screen(
        text,
        rows(
            [
                Button(_("📨 Send now"), Action("bcs", arg="now").pack()),
                Button(_("🕗 Tomorrow 08:00"), Action("bcs", arg="tomorrow").pack()),
            ],
            [Button(_("✖️ Cancel"), Action("bcx").pack())],
        ),
    )


def created(view: Created) -> str:
    return _("📨 Broadcast #{id} queued for {count} people, sending from {when}.").format(
        id=view.id, count=view.recipients, when=vn_datetime(view.send_at)
    )


def report(view: Report) -> str:
    c = view.counts.by_state
    lines = [
        _("📊 <b>Delivery report, broadcast #{id}</b>").format(id=view.broadcast_id),
        _("Sent {sent}/{total} · failed {failed} · blocked the bot {blocked} · waiting {waiting}").format(
            sent=c.get("sent", 0),
            total=view.counts.total,
            failed=c.get("failed", 0),
            blocked=c.get("blocked", 0),
            waiting=c.get("pending", 0) + c.get("sending", 0),
        ),
    ]
    if view.counts.done:
        lines.append(_("✅ Finished."))
    return "\n".join(lines)


def unreachable(names: list[str]) -> Screen:
    return Screen(
        _(
            "⚠️ Messages could not be delivered to: {names}. They blocked the bot or left Telegram; "
            "reach them another way."
        ).format(names=", ".join(escape(n) for n in names))
    )


def digest(view: Digest) -> Screen:
    rank = (
        _("provisional rank {rank}/{count} in {cohort}").format(
            rank=view.rank, count=view.ranked, cohort=escape(view.cohort_name)
        )
        if view.rank is not None
        else _("not ranked")
    )
    text = _(
        "📅 <b>Weekly digest — {unit}</b>\nAnswered {answered}/{total} items · {points}/{max} points · {rank}."
    ).format(
        unit=escape(view.unit_name),
        answered=view.answered,
        total=view.total,
        points=vn_number(view.points),
        max=vn_number(view.max_points),
        rank=rank,
    )
    return Screen(text)
