"""Messages the bot starts itself: reminders, broadcasts and their delivery reports, notices."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.numbers import vn_date, vn_datetime, vn_number
from bot.render.screen import Button, Screen, rows
from bot.services.campaign.broadcasts import Audiences, Cancelled, Created, Preview, Report, Scheduled
from bot.services.campaign.digest import Digest
from bot.services.campaign.reminders import DueReminder, Nudged


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
    if due.by_coordinator:
        text = _("🔔 <b>A reminder from the coordinator</b>") + "\n" + text
    # "Continue" opens the unit's first item still to answer (the summary when none is left).
    resume = Action("nav", due.unit_id, due.period_id, arg="missing").pack() if due.unit_id else menu("assess")
    return Screen(text, rows([Button(_("▶️ Continue the self-assessment"), resume)]))


def reminder_payload(due: DueReminder) -> dict[str, Any]:
    """A reminder as the outbox stores it."""
    return as_payload(reminder(due))


def nudged(view: Nudged) -> str:
    """The answer to "🔔 Remind": a short toast."""
    unit = view.unit_name
    if view.outcome == "sent":
        return _("🔔 Reminder sent to {unit} ({count} focal points).").format(unit=unit, count=view.recipients)
    if view.outcome == "already":
        return _("{unit} was already reminded today; you can remind it again tomorrow.").format(unit=unit)
    if view.outcome == "nobody":
        return _("{unit} has no focal point the bot can reach: invite one, or call the unit.").format(unit=unit)
    return _("{unit} has already submitted: no reminder needed.").format(unit=unit)


def broadcast_message(text: str) -> str:
    return _("📣 <b>Message from the coordinator</b>") + "\n\n" + escape(text)


def ask_broadcast_text(waiting: tuple[Scheduled, ...] = ()) -> Screen:
    lines = [_("📣 Type the message to send (up to 3,500 characters).")]
    buttons = []
    if waiting:
        lines += ["", _("<b>Scheduled, not sent yet:</b>")]
        for item in waiting:
            lines.append(
                _("#{id} at {when} to {audience} ({count} people)").format(
                    id=item.id,
                    when=vn_datetime(item.send_at),
                    audience=audience_label(item.audience, item.cohort_name),
                    count=item.recipients,
                )
            )
            buttons.append(
                [Button(_("❌ Cancel scheduled #{id}").format(id=item.id), Action("bcu", arg=str(item.id)).pack())]
            )
    buttons.append([Button(_("✖️ Cancel"), Action("bcx").pack())])
    return Screen("\n".join(lines), rows(*buttons))


def audience_label(audience: str, cohort_name: str = "") -> str:
    """Who a broadcast goes to, in words: never a code."""
    if audience.startswith("cohort:"):
        return _("focal points of {cohort}").format(cohort=escape(cohort_name or audience[7:]))
    return {
        "focal_points": _("all focal points"),
        "behind": _("focal points of units not submitted yet"),
        "leaders": _("unit leaders"),
    }.get(audience, audience)


def choose_audience(options: Audiences) -> Screen:
    buttons = [[Button(audience_label(a), Action("bca", arg=a).pack())] for a in ("focal_points", "behind", "leaders")]
    buttons += [
        [Button(audience_label(f"cohort:{code}", name), Action("bca", arg=f"cohort:{code}").pack())]
        for code, name in options.cohorts
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
                audience=audience_label(view.audience, view.cohort_name), count=view.recipients, units=view.units
            ),
        ]
    )
    later = [Button(_("🕗 Tomorrow 08:00"), Action("bcs", arg="tomorrow").pack())]
    if view.today_at_8:
        later.insert(0, Button(_("🕗 Today 08:00"), Action("bcs", arg="today").pack()))
    return Screen(
        text,
        rows(
            [Button(_("📨 Send now"), Action("bcs", arg="now").pack())],
            later,
            [Button(_("🗓 Another time…"), Action("bcw").pack())],
            [Button(_("✖️ Cancel"), Action("bcx").pack())],
        ),
    )


def ask_send_time(example: datetime) -> Screen:
    return Screen(
        _("🗓 Type the day and time to send, Vietnam time, e.g. {example}.").format(
            example=example.strftime("%d/%m/%Y %H:%M")
        ),
        rows([Button(_("✖️ Cancel"), Action("bcx").pack())]),
    )


def created(view: Created) -> Screen:
    audience = audience_label(view.audience, view.cohort_name)
    if not view.scheduled:
        text = _("📨 Broadcast #{id} to {audience} queued for {count} people, sending now.").format(
            id=view.id, audience=audience, count=view.recipients
        )
        return Screen(text)
    text = _("🕗 Broadcast #{id} to {audience} ({count} people) will be sent at {when}.").format(
        id=view.id, audience=audience, count=view.recipients, when=vn_datetime(view.send_at)
    )
    return Screen(text, rows([Button(_("❌ Cancel the scheduled send"), Action("bcu", arg=str(view.id)).pack())]))


def cancelled(view: Cancelled) -> Screen:
    return Screen(
        _("❌ Broadcast #{id} ({when}, to {audience}) is cancelled: nobody will receive it.").format(
            id=view.id, when=vn_datetime(view.send_at), audience=audience_label(view.audience, view.cohort_name)
        ),
        rows([Button(_("🏠 Main menu"), menu("menu"))]),
    )


def report_starting() -> Screen:
    return Screen(_("📊 Delivery report: starting…"))


def report(view: Report) -> str:
    c = view.counts.by_state
    title = _("📊 <b>Delivery report, broadcast #{id}</b>").format(id=view.broadcast_id)
    if view.audience:
        title += " — " + audience_label(view.audience, view.cohort_name)
    if view.cancelled:
        return "\n".join([title, _("❌ Cancelled before sending: no message went.")])
    lines = [title]
    if view.waiting_for_time and view.send_at is not None:
        lines.append(_("🕗 Will be sent at {when}.").format(when=vn_datetime(view.send_at)))
    lines.append(
        _("Sent {sent}/{total} · failed {failed} · blocked the bot {blocked} · waiting {waiting}").format(
            sent=c.get("sent", 0),
            total=view.counts.total,
            failed=c.get("failed", 0),
            blocked=c.get("blocked", 0),
            waiting=c.get("pending", 0) + c.get("sending", 0),
        )
    )
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
