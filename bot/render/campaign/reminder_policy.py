"""The coordinator's reminder-policy editor: the settings in words, and one button per change."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, _
from bot.render.actions import Action, menu
from bot.render.numbers import vn_date, vn_datetime
from bot.render.screen import Button, Screen, rows
from bot.services.campaign.reminder_policy import DAY_CHOICES, END_CHOICES, OVERDUE_CHOICES, START_CHOICES, PolicyView

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def _days_before(days: list[int]) -> str:
    if not days:
        return _("none")
    return ", ".join(_("on the day") if d == 0 else _("{days} days before").format(days=d) for d in days)


def _overdue(every: int) -> str:
    if every == 0:
        return _("no reminders")
    return _("every {days} working days").format(days=every)


def _step(step: str) -> str:
    if step.startswith("late"):
        return _("{days} working days overdue").format(days=step[4:])
    days = int(step[1:])
    return _("deadline day") if days == 0 else _("{days} days before the deadline").format(days=days)


def _button(view: PolicyView, label: str, choice: str, chosen: bool) -> Button:
    action = Action("rmp", period=view.period_id, arg=choice).pack()
    return Button(("✅ " if chosen else "▫️ ") + label, action)


def policy_screen(view: PolicyView) -> Screen:
    policy = view.policy
    lines = [
        _("⏰ <b>Reminders</b> — {period}, deadline {deadline}").format(
            period=escape(view.title), deadline=vn_date(view.deadline)
        ),
        _("Before the deadline: {days}").format(days=_days_before(policy["days_before"])),
        _("When overdue: {overdue}").format(overdue=_overdue(int(policy["overdue_every_working_days"]))),
        _("Sending hours: {start}–{end}, on {weekdays}").format(
            start=policy["start"], end=policy["end"], weekdays=", ".join(_(WEEKDAYS[d]) for d in policy["weekdays"])
        ),
        _("Only units that are behind get reminders; each reminder goes once."),
    ]
    if view.next_at is not None and view.next_step is not None:
        lines.append(
            _("Next reminder: {when} ({step}).").format(when=vn_datetime(view.next_at), step=_step(view.next_step))
        )
    else:
        lines.append(_("No more reminders are due under these settings."))
    if not view.customized:
        lines.append(_("(Default settings.)"))
    lines.append(
        _(
            "Tap to change; changes apply at once. Rows: days before the deadline; when overdue, every N "
            "working days; sending days; start and end of sending hours."
        )
    )

    def days_label(d: int) -> str:
        return _("On the day") if d == 0 else _("{days} days").format(days=d)

    def overdue_label(n: int) -> str:
        return _("Off") if n == 0 else _("Every {days}").format(days=n)

    days = [_button(view, days_label(d), f"d:{d}", d in policy["days_before"]) for d in DAY_CHOICES]
    every = int(policy["overdue_every_working_days"])
    weekdays = [_button(view, _(WEEKDAYS[d]), f"w:{d}", d in policy["weekdays"]) for d in range(7)]
    buttons = [
        days[:4],
        days[4:],
        [_button(view, overdue_label(n), f"o:{n}", n == every) for n in OVERDUE_CHOICES],
        weekdays[:4],
        weekdays[4:],
        [
            _button(view, _("From {time}").format(time=t), "s:" + t.replace(":", "-"), t == policy["start"])
            for t in START_CHOICES
        ],
        [
            _button(view, _("Until {time}").format(time=t), "e:" + t.replace(":", "-"), t == policy["end"])
            for t in END_CHOICES
        ],
        [Button(_("↩️ Default settings"), Action("rmp", period=view.period_id, arg="defaults").pack())],
        *[[Button(f"📅 {title}"[:60], Action("rmp", period=pid, arg="show").pack())] for pid, title in view.others],
        [Button(_("🏠 Main menu"), menu("menu"))],
    ]
    return Screen("\n".join(lines), rows(*buttons))
