"""Objections ("kiến nghị") to provisional results: the unit's screens (choose an item, type the
reason, attach evidence, send), the council's (one objection at a time) and the unit's notice."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.campaign.notices import as_payload
from bot.render.numbers import vn_date, vn_datetime, vn_points
from bot.render.screen import Button, Screen, rows
from bot.services.appraisal.objections import (
    CouncilItem,
    Decided,
    Draft,
    ObjectableItem,
    ObjectionWindow,
    Raised,
    RaisedNotice,
)

STATE_MARK = {"open": "⏳", "upheld": "✅", "rejected": "❌"}


def _until(deadline: Any) -> str:
    return _("Objections are accepted until {date}.").format(date=vn_date(deadline)) if deadline else ""


NAME_SHOWN = 24  # characters of an item's name on its button (a phone shows about 35 in all)


def _item_label(item: ObjectableItem) -> str:
    """ "⏳ 1.3 Tuyên truyền về chuyển… · 0/6": the state of the unit's objection, the code, the
    name cut to fit and the provisional points."""
    mark = STATE_MARK.get(item.objection, "")
    name = item.name
    if len(name) > NAME_SHOWN:  # cut between words: "Tuyên truyền về chuyển…"
        cut = name[:NAME_SHOWN]
        name = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:–-") + "…"
    points = f"{vn_points(item.points)}/{vn_points(item.max_points)}"
    return f"{mark} {item.code} {name} · {points}".strip()


def window_screen(view: ObjectionWindow) -> Screen:
    lines = [
        _("✋ <b>Objections to the provisional results</b> — {unit}").format(unit=escape(view.unit_name)),
        escape(view.period_title),
    ]
    if until := _until(view.feedback_deadline):
        lines.append(until)
    lines.append(_("Choose the item whose points you object to:"))
    # each item once: its button carries the code, a short name and the points (no list repeating them)
    buttons = [
        [Button(_item_label(item), Action("obo", view.unit_id, view.period_id, item.code).pack())]
        for item in view.items
    ]
    if view.raised:
        lines.append(_("⏳ waiting for the council · ✅ upheld · ❌ rejected"))
    paging = []
    if view.page > 0:
        paging.append(
            Button(_("◀️ Previous"), Action("obl", view.unit_id, view.period_id, "", str(view.page - 1)).pack())
        )
    if view.page + 1 < view.pages:
        paging.append(Button(_("Next ▶️"), Action("obl", view.unit_id, view.period_id, "", str(view.page + 1)).pack()))
    return Screen("\n".join(lines), rows(*buttons, paging, [Button(_("⬅️ Menu"), menu("menu"))]))


def draft_screen(draft: Draft) -> Screen:
    lines = [
        _("✋ <b>Objection to item {code}</b> {name}").format(code=escape(draft.code), name=escape(draft.name)),
        _("Provisional points: {points}/{max}").format(points=vn_points(draft.points), max=vn_points(draft.max_points)),
    ]
    cancel = Button(_("✖️ Cancel"), Action("obx", draft.unit_id, draft.period_id, draft.code).pack())
    if draft.step == "reason":
        lines.append(_("✍️ Type the reason of your objection: what is wrong, and the points you expect."))
        return Screen("\n".join(lines), rows([cancel]))
    lines.append(_("Reason: {reason}").format(reason=escape(draft.reason)))
    if draft.evidence:
        lines.append(_("Evidence:"))
        lines += [f"📎 {escape(e.label)}" for e in draft.evidence]
    lines.append(
        _(
            "📎 Send photos, files or links that prove it (optional), then tap “📨 Send the objection”. "
            "Typing again replaces the reason."
        )
    )
    send = Button(_("📨 Send the objection"), Action("obs", draft.unit_id, draft.period_id, draft.code).pack())
    return Screen("\n".join(lines), rows([send], [cancel]))


def raised_screen(raised: Raised) -> Screen:
    if raised.evidence:
        text = _(
            "✅ Your objection to item {code} {name} was sent to the council ({evidence} pieces of evidence). "
            "You will receive its answer here."
        ).format(code=escape(raised.code), name=escape(raised.name), evidence=raised.evidence)
    else:  # not "(0 tài liệu kèm theo)"
        text = _(
            "✅ Your objection to item {code} {name} was sent to the council. You will receive its answer here."
        ).format(code=escape(raised.code), name=escape(raised.name))
    return Screen(
        text, rows([Button(_("✋ Other objections"), menu("objections"))], [Button(_("⬅️ Menu"), menu("menu"))])
    )


def cancelled_screen() -> Screen:
    return Screen(_("Cancelled: nothing was sent."), rows([Button(_("⬅️ Menu"), menu("menu"))]))


def council_screen(item: CouncilItem) -> Screen:
    lines = [
        _("⚖️ <b>Objection {n}</b> · {waiting} waiting").format(n=item.objection_id, waiting=item.waiting),
        _("Unit: {unit}").format(unit=escape(item.unit_name)),
        _("Item {code} {name}: now {points}/{max}").format(
            code=escape(item.code),
            name=escape(item.name),
            points=vn_points(item.points),
            max=vn_points(item.max_points),
        ),
    ]
    if item.self_points is not None and item.self_points != item.points:
        lines.append(_("Self-assessed: {points}").format(points=vn_points(item.self_points)))
    lines.append(
        _("Raised by {who} at {when}").format(who=escape(item.raised_by or "—"), when=vn_datetime(item.raised_at))
    )
    lines.append(_("Reason: {reason}").format(reason=escape(item.reason)))
    if item.evidence:
        lines.append(_("Evidence:"))
        lines += [f"📎 {escape(e.label)}" for e in item.evidence]
    else:
        lines.append(_("No evidence was sent with it."))
    if item.step == "points":
        lines.append(
            _(
                "✍️ Type the item's new points (0 to {max}); you may add why after a semicolon: "
                "8; the decision is valid."
            ).format(max=vn_points(item.max_points))
        )
        return Screen(
            "\n".join(lines), rows([Button(_("✖️ Cancel"), Action("obn", arg=f"a{item.objection_id - 1}").pack())])
        )
    if item.step == "reason":
        lines.append(_("✍️ Type why the objection is rejected (the unit will read it)."))
        return Screen(
            "\n".join(lines), rows([Button(_("✖️ Cancel"), Action("obn", arg=f"a{item.objection_id - 1}").pack())])
        )
    decide = [
        Button(_("✅ Uphold (new points)"), Action("obu", arg=str(item.objection_id)).pack()),
        Button(_("❌ Reject"), Action("obr", arg=str(item.objection_id)).pack()),
    ]
    more = []
    if any(e.content_key for e in item.evidence):
        more.append(Button(_("📎 Evidence files"), Action("obf", arg=str(item.objection_id)).pack()))
    if item.waiting > 1:
        more.append(Button(_("⏭ Next"), Action("obn", arg=f"a{item.objection_id}").pack()))
    return Screen("\n".join(lines), rows(decide, more, [Button(_("⬅️ Menu"), menu("menu"))]))


def council_empty() -> Screen:
    return Screen(_("⚖️ No objection is waiting for the council."), rows([Button(_("⬅️ Menu"), menu("menu"))]))


def decided_line(decided: Decided) -> str:
    if decided.state == "upheld":
        return _("✅ Objection upheld: item {code} now {new}/{max} (was {old}).").format(
            code=escape(decided.code),
            new=vn_points(decided.new_points),
            max=vn_points(decided.max_points),
            old=vn_points(decided.old_points),
        )
    return _("❌ Objection rejected: item {code} stays {points}/{max}.").format(
        code=escape(decided.code), points=vn_points(decided.old_points), max=vn_points(decided.max_points)
    )


def decided_notice(decided: Decided) -> dict[str, Any]:
    """The unit's message (outbox payload): the council's answer to its objection."""
    lines = [
        _("⚖️ <b>The council answered your objection</b> — {period}").format(period=escape(decided.period_title)),
        _("Item {code} {name}").format(code=escape(decided.code), name=escape(decided.name)),
        decided_line(decided),
    ]
    if decided.response:
        lines.append(_("Council's reason: {reason}").format(reason=escape(decided.response)))
    buttons = rows([Button(_("🏆 Ranking"), menu("rank"))])
    return as_payload(Screen("\n".join(lines), buttons))


def open_objection_action(objection_id: int) -> str:
    """The council's button to one objection: "the next open one after the one before it" opens it
    (or, once it is answered, the next one still waiting)."""
    return Action("obn", arg=f"a{objection_id - 1}").pack()


def raised_council_notice(notice: RaisedNotice) -> dict[str, Any]:
    """The council chair's message (outbox payload) when a unit raises an objection."""
    reason = notice.reason if len(notice.reason) <= 200 else notice.reason[:199] + "…"
    lines = [
        _("✋ <b>New objection</b> — {period}").format(period=escape(notice.period_title)),
        _("{unit} objects to item {code} {name}.").format(
            unit=escape(notice.unit_name), code=escape(notice.code), name=escape(notice.name)
        ),
        _("Reason: {reason}").format(reason=escape(reason)),
    ]
    if notice.evidence:
        lines.append(_("Evidence attached: {count}").format(count=notice.evidence))
    button = Button(_("⚖️ Open the objection"), open_objection_action(notice.objection_id))
    return as_payload(Screen("\n".join(lines), rows([button])))
