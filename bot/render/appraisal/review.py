"""Appraisers' screens: the start of their queue (their domain, units with items waiting), one
unit's items together, one item to decide, and the batch accept's confirmation."""

from __future__ import annotations

from html import escape
from typing import Any

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.assessment.cards import cannot_show, describe_answer, guarded, points_text
from bot.render.numbers import vn_date
from bot.render.screen import Button, Screen, rows
from bot.services.appraisal.domain import Scope
from bot.services.appraisal.notices import Sent
from bot.services.appraisal.review import QueueOverview, ReviewItem, UnitReview, UnitRow
from bot.wording import vn_points

UNITS_SHOWN = 40  # unit buttons on the queue's first screen
ROWS_SHOWN = 30  # items listed on a unit's screen (Telegram's 4096 characters)
EXPLANATION_SHOWN = 160


def scopes_text(scopes: tuple[Scope, ...], cohort_name: Any = None) -> str:
    """ "chỉ số 1, 2, 2.3 (Khối xã, phường)" — an appraiser's domain in a few words: a cohort by its
    name (the scope's own, else `cohort_name(code)`), its code only when the framework names none."""
    if not scopes:
        return _("nothing assigned yet")
    plain = [s.code for s in scopes if not s.cohort]
    parts = [", ".join(plain)] if plain else []
    by_cohort: dict[str, list[str]] = {}
    for s in scopes:
        if s.cohort:
            by_cohort.setdefault(s.cohort, []).append(s.code)
    names = {s.cohort: s.cohort_name for s in scopes if s.cohort and s.cohort_name}
    for cohort, codes in by_cohort.items():
        name = names.get(cohort) or (cohort_name(cohort) if cohort_name is not None else "")
        if name and name != cohort:  # the cohort's name says "Khối …" itself
            parts.append(f"{', '.join(codes)} ({escape(name)})")
        else:
            parts.append(_("{codes} (cohort {cohort})").format(codes=", ".join(codes), cohort=escape(cohort)))
    return _("items {codes}").format(codes="; ".join(parts))


def queue_start(view: QueueOverview) -> Screen:
    lines = [_("🔎 <b>Review</b>")]
    if view.everything:
        lines.append(_("As council chair you see every item of every domain."))
    else:
        for title, scopes in view.scopes:
            lines.append(
                _("Your domain in {period}: {scopes}.").format(period=escape(title), scopes=scopes_text(scopes))
            )
    if not view.scopes:  # no period is being appraised (not yet, or its results are published)
        lines += ["", _("No assessment period is in appraisal now: there is nothing to appraise.")]
        return Screen("\n".join(lines), rows([Button(_("🏠 Main menu"), menu("menu"))]))
    if not view.assigned:
        lines += ["", _("No index has been assigned to you yet: ask the coordinator to assign your domain.")]
        return Screen("\n".join(lines), rows([Button(_("🏠 Main menu"), menu("menu"))]))
    if not view.waiting:
        lines += ["", _("✅ No submitted item of your domain is waiting.")]
        return Screen("\n".join(lines), rows([Button(_("🏠 Main menu"), menu("menu"))]))
    lines += [
        "",
        _(
            "{waiting} items waiting in {units} units. Choose a unit to see its items together, "
            "or go through them in order."
        ).format(waiting=view.waiting, units=len(view.units)),
    ]
    buttons = [
        [
            Button(
                _("{unit} ({waiting})").format(unit=u.unit_name, waiting=u.waiting),
                Action("rvu", u.unit_id).pack(),
            )
        ]
        for u in view.units[:UNITS_SHOWN]
    ]
    if len(view.units) > UNITS_SHOWN:
        lines.append(_("The {shown} units with the most items waiting are listed.").format(shown=UNITS_SHOWN))
    return Screen(
        "\n".join(lines),
        rows(
            [Button(_("▶️ Go through them in order"), Action("rvn").pack())],
            *buttons,
            [Button(_("🏠 Main menu"), menu("menu"))],
        ),
    )


def queue_empty(skipped: int = 0, unit_id: int = 0) -> Screen:
    if skipped:
        return Screen(
            _("⏭ You skipped {count} items; nothing else is waiting.").format(count=skipped),
            rows(
                [Button(_("🔁 Show the skipped items again"), Action("rvr", unit_id).pack())],
                [Button(_("🔎 Review queue"), menu("review")), Button(_("🏠 Main menu"), menu("menu"))],
            ),
        )
    return Screen(_("✅ No submitted item is waiting for review."), rows([Button(_("🏠 Main menu"), menu("menu"))]))


def evidence_line(e: Any) -> str:
    if e.kind == "link":
        return f"🔗 {escape(e.url)}"
    if e.kind == "document_ref":
        when = vn_date(e.doc_date) if e.doc_date else ""
        return f"📄 {escape(e.doc_number)} ({when}) — {escape(e.doc_summary)}"
    return f"📎 {escape(e.file_name)}"


def _explanation(text: str, limit: int | None = None) -> str:
    shown = text if limit is None or len(text) <= limit else text[: limit - 1] + "…"
    return _("💬 Explanation: {text}").format(text=escape(shown))


def review_screen(item: ReviewItem, step: str = "") -> Screen:
    sub = item.sub
    unit = item.unit_filter
    if unit:
        head = _("🔎 <b>Review</b> — {unit}: {waiting} items waiting").format(
            unit=escape(item.unit_name), waiting=item.waiting
        )
    else:
        head = _("🔎 <b>Review</b> — {waiting} items waiting").format(waiting=item.waiting)
    lines = [
        head,
        _("<b>{unit}</b> · {code} {name}").format(
            unit=escape(item.unit_name), code=escape(sub.code), name=escape(sub.name)
        ),
        "❓ " + escape(sub.question),
        _answer_line(item),
    ]
    if item.unreadable:
        lines.append(_("⚠️ This answer does not fit the item: send it back, or correct the points."))
    if item.explanation:
        lines.append(_explanation(item.explanation))
    if sub.evidence.kinds:
        lines.append(_("Evidence required: {what}").format(what=escape(sub.evidence.description) or "—"))
    lines += [evidence_line(e) for e in item.evidence] or [_("No evidence was sent.")]
    if not item.unreadable:
        lines.append(_("📎 The evidence is complete.") if item.complete else _("⚠️ Evidence is missing."))
    if step == "points":
        lines += [
            "",
            _("✍️ Type the corrected points (0 to {max}).").format(max=vn_points(sub.max_points)),
        ]
    elif step == "reason":
        lines += ["", _("✍️ Type the reason for the correction; the unit will see it.")]
    elif step == "comment":
        lines += ["", _("✍️ Type what the unit must supplement; it will be sent to its focal points.")]
    if step:
        return Screen(
            "\n".join(lines), rows([Button(_("✖️ Cancel"), Action("rvo", unit, arg=str(item.answer_id)).pack())])
        )
    answer = str(item.answer_id)
    files = (
        [Button(_("📎 Show the files"), Action("rvf", unit, arg=answer).pack())]
        if any(e.content_key for e in item.evidence)
        else []
    )
    return Screen(
        "\n".join(lines),
        rows(
            [
                Button(_("✅ Accept"), Action("rva", unit, arg=answer).pack()),
                Button(_("✏️ Correct points"), Action("rvc", unit, arg=answer).pack()),
            ],
            [Button(_("↩️ Send back"), Action("rvs", unit, arg=answer).pack()), *files],
            [
                Button(_("⏭ Skip"), Action("rvk", unit, arg=answer).pack()),
                Button(_("🏢 The unit's items"), Action("rvu", item.unit_id).pack()),
            ],
            [Button(_("🔎 Review queue"), menu("review")), Button(_("🏠 Main menu"), menu("menu"))],
        ),
    )


def _answer_line(item: ReviewItem) -> str:
    sub = item.sub
    answer = cannot_show(sub.code) if item.unreadable else describe_answer(sub, item.raw)
    if sub.method.relative and item.self_points is None:  # min-max: the cohort's values set the points
        return _("Answer: {answer} — scored against the cohort, up to {max} points").format(
            answer=answer, max=vn_points(sub.max_points)
        )
    return _("Answer: {answer} — self-scored {points}").format(
        answer=answer, points=guarded(sub.code, lambda: points_text(item.self_points, sub.max_points), "?")
    )


def evidence_state(row: UnitRow) -> str:
    """ "📎 đủ hồ sơ (2 tài liệu)" or "⚠️ thiếu hồ sơ" — never ✅, which means an accepted item."""
    if row.unreadable:
        state = _("⚠️ answer unreadable")
    else:
        state = _("📎 evidence complete") if row.complete else _("⚠️ evidence missing")
    if row.evidence:
        return _("{state} ({count} documents)").format(state=state, count=row.evidence)
    return state


def _row_line(row: UnitRow) -> str:
    sub = row.sub
    answer = cannot_show(sub.code) if row.unreadable else describe_answer(sub, row.raw)
    if sub.method.relative and row.self_points is None:  # min-max: no points of its own, the cohort sets them
        points = _("scored against the cohort, up to {max}").format(max=vn_points(sub.max_points))
    else:
        points = guarded(sub.code, lambda: points_text(row.self_points, sub.max_points), "?")
    line = _("• <b>{code}</b> {name}: {answer} — {points} · {evidence}").format(
        code=escape(sub.code), name=escape(sub.name), answer=answer, points=points, evidence=evidence_state(row)
    )
    if row.explanation:
        line += "\n    " + _explanation(row.explanation, EXPLANATION_SHOWN)
    return line


def unit_screen(view: UnitReview, sent: Sent | None = None, accepted: int | None = None) -> Screen:
    lines = []
    if accepted is not None:
        lines += [_("✅ {count} items accepted.").format(count=accepted), ""]
    if sent is not None:
        lines += [
            _("📨 The results ({decisions} decisions) were sent to {unit} in one message ({people} people).").format(
                decisions=sent.decisions, unit=escape(sent.unit_name), people=sent.recipients
            ),
            "",
        ]
    lines.append(_("🏢 <b>{unit}</b> — {period}").format(unit=escape(view.unit_name), period=escape(view.period_title)))
    if view.rows:
        lines.append(
            _("{waiting} items of your domain waiting; {complete} with complete evidence.").format(
                waiting=len(view.rows), complete=len(view.complete)
            )
        )
        lines += [_row_line(r) for r in view.rows[:ROWS_SHOWN]]
        if len(view.rows) > ROWS_SHOWN:
            lines.append(_("… and {count} more items.").format(count=len(view.rows) - ROWS_SHOWN))
    else:
        lines.append(_("✅ No item of your domain is waiting in this unit."))
    if view.unsent:
        lines.append(
            _("📨 {count} decisions have not been sent to the unit yet: send them when you finish the unit.").format(
                count=view.unsent
            )
        )
    unit = view.unit_id
    opens = [
        Button(f"🔎 {r.sub.code}", Action("rvo", unit, arg=str(r.answer_id)).pack()) for r in view.rows[:ROWS_SHOWN]
    ]
    buttons: list[list[Button]] = [opens[n : n + 4] for n in range(0, len(opens), 4)]
    if view.complete:
        buttons.append(
            [
                Button(
                    _("✅ Accept {count} items with complete evidence").format(count=len(view.complete)),
                    Action("rvb", unit, arg="ask").pack(),
                )
            ]
        )
    if view.rows:
        buttons.append([Button(_("▶️ Go through them in order"), Action("rvn", unit).pack())])
    if view.unsent:
        buttons.append([Button(_("📨 Send the results to the unit"), Action("rvm", unit).pack())])
    buttons.append([Button(_("🔎 Review queue"), menu("review")), Button(_("🏠 Main menu"), menu("menu"))])
    return Screen("\n".join(lines), rows(*buttons))


def batch_question(view: UnitReview) -> Screen:
    codes = ", ".join(r.sub.code for r in view.complete)
    text = _(
        "Accept {count} items of {unit} at their self-scored points? Each has the evidence its answer needs: {codes}."
    ).format(count=len(view.complete), unit=escape(view.unit_name), codes=escape(codes))
    unit = view.unit_id
    return Screen(
        text,
        rows(
            [
                Button(
                    _("✅ Accept {count} items").format(count=len(view.complete)), Action("rvb", unit, arg="ok").pack()
                ),
                Button(_("✖️ Cancel"), Action("rvu", unit).pack()),
            ]
        ),
    )
