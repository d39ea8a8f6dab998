"""Reviewers' screens and the notice a sent-back item sends to the unit."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.assessment.cards import cannot_show, describe_answer, guarded, points_text
from bot.render.campaign.notices import as_payload
from bot.render.numbers import vn_date
from bot.render.screen import Button, Screen, rows
from bot.services.appraisal.review import ReviewItem
from scoring import SubIndex


def queue_empty() -> Screen:
    return Screen(_("✅ No submitted item is waiting for review."), rows([Button(_("🏠 Main menu"), menu("menu"))]))


def evidence_line(e: Any) -> str:
    if e.kind == "link":
        return f"🔗 {escape(e.url)}"
    if e.kind == "document_ref":
        when = vn_date(e.doc_date) if e.doc_date else ""
        return f"📄 {escape(e.doc_number)} ({when}) — {escape(e.doc_summary)}"
    return f"📎 {escape(e.file_name)}"


def review_screen(item: ReviewItem, step: str = "") -> Screen:
    sub = item.sub
    lines = [
        _("🔎 <b>Review</b> — {waiting} items waiting").format(waiting=item.waiting),
        _("<b>{unit}</b> · {code} {name}").format(
            unit=escape(item.unit_name), code=escape(sub.code), name=escape(sub.name)
        ),
        "❓ " + escape(sub.question),
        _("Answer: {answer} — self-scored {points}").format(
            answer=cannot_show(sub.code) if item.unreadable else describe_answer(sub, item.raw),
            points=guarded(sub.code, lambda: points_text(item.self_points, sub.max_points), "?"),
        ),
    ]
    if item.unreadable:
        lines.append(_("⚠️ This answer does not fit the item: send it back, or correct the points."))
    if sub.evidence.kinds:
        lines.append(_("Evidence required: {what}").format(what=escape(sub.evidence.description) or "—"))
    lines += [evidence_line(e) for e in item.evidence] or [_("No evidence was sent.")]
    if step == "points":
        lines += [
            "",
            _("✍️ Type the corrected points (0 to {max}).").format(max=points_text(sub.max_points, sub.max_points)),
        ]
    elif step == "reason":
        lines += ["", _("✍️ Type the reason for the correction; the unit will see it.")]
    elif step == "comment":
        lines += ["", _("✍️ Type what the unit must supplement; it will be sent to its focal points.")]
    if step:
        return Screen("\n".join(lines), rows([Button(_("✖️ Cancel"), Action("rvn").pack())]))
    answer = str(item.answer_id)
    files = (
        [Button(_("📎 Show the files"), Action("rvf", arg=answer).pack())]
        if any(e.content_key for e in item.evidence)
        else []
    )
    return Screen(
        "\n".join(lines),
        rows(
            [
                Button(_("✅ Accept"), Action("rva", arg=answer).pack()),
                Button(_("✏️ Correct points"), Action("rvc", arg=answer).pack()),
            ],
            [Button(_("↩️ Send back"), Action("rvs", arg=answer).pack()), *files],
            [Button(_("⏭ Next"), Action("rvn").pack()), Button(_("🏠 Main menu"), menu("menu"))],
        ),
    )


def sent_back_notice(unit_id: int, period_id: int, sub: SubIndex, comment: str) -> dict[str, Any]:
    text = _(
        "↩️ Item {code} {name} was sent back for supplement: “{comment}”. Open it, complete the evidence "
        "and submit again."
    ).format(code=escape(sub.code), name=escape(sub.name), comment=escape(comment))
    return as_payload(
        Screen(
            text,
            rows(
                [
                    Button(
                        _("📝 Open item {code}").format(code=sub.code),
                        Action("nav", unit_id, period_id, sub.code, "open").pack(),
                    )
                ]
            ),
        )
    )
