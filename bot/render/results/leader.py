"""Leaders' screens: rank, weakest items, overview."""

from __future__ import annotations

from functools import partial
from html import escape

from bot.i18n import _
from bot.render.actions import menu
from bot.render.assessment.cards import guarded
from bot.render.numbers import vn_number, vn_percent, vn_points
from bot.render.screen import Button, Screen, rows
from bot.services.results.leader import Standing, Weakest, WeakItem


def _signed(value, places: int = 2) -> str:  # type: ignore[no-untyped-def]
    text = vn_number(value, places)
    return text if text.startswith("-") else f"+{text}"


def result_buttons() -> tuple[tuple[Button, ...], ...]:
    return rows(
        [Button(_("📊 Charts"), menu("charts")), Button(_("📉 Weakest items"), menu("weakest"))],
        [Button(_("📋 Overview"), menu("overview")), Button(_("🏠 Main menu"), menu("menu"))],
    )


def provisional_note(view: Standing) -> str:
    note = _provisional_note(view)
    if view.unreadable:
        note += "\n" + _(
            "⚠️ The stored answers of items {codes} cannot be read: they count as 0 until answered again."
        ).format(codes=escape(", ".join(view.unreadable)))
    return note


def _provisional_note(view: Standing) -> str:
    if not view.provisional:
        return _("✅ Final, published result.")
    reasons = []
    if view.entry.result.self_scored:
        reasons.append(_("{count} items self-scored, not yet reviewed").format(count=view.entry.result.self_scored))
    if view.entry.result.relative_provisional:
        reasons.append(_("min-max items wait for the whole cohort"))
    if view.entry.result.counts.unanswered:
        reasons.append(_("{count} items unanswered").format(count=view.entry.result.counts.unanswered))
    return _("⚠️ Provisional result: {reasons}.").format(reasons="; ".join(reasons) or _("not published yet"))


def rank_screen(view: Standing) -> Screen:
    result, cohort = view.entry.result, view.cohort
    ranked = len(cohort.ranked)
    lines = [_("🏆 <b>Ranking — {unit}</b>").format(unit=escape(view.unit_name)), escape(view.period_title)]
    if view.entry.rank is None:
        lines.append(_("Scored but not ranked ({cohort}).").format(cohort=escape(cohort.name)))
    else:
        lines.append(
            _("<b>Rank {rank}/{count}</b> {cohort}").format(
                rank=view.entry.rank, count=ranked, cohort=escape(cohort.name)
            )
        )
    lines.append(
        _("Points: {points}/{total} · {percent} — {band}").format(
            points=vn_number(result.points, view.places_points),
            total=vn_number(result.max_points, 0),
            percent=vn_percent(result.percent),
            band=escape(result.band) or "—",
        )
    )
    lines.append(_("DTI value: {value}").format(value=vn_number(result.value, view.places_value)))
    if view.change is not None:
        moved = view.change.ranks_moved_up
        move = (
            ""
            if moved is None
            else (
                _("up {n} places").format(n=moved)
                if moved > 0
                else _("down {n} places").format(n=-moved)
                if moved < 0
                else _("same rank")
            )
        )
        lines.append(
            _("Since {previous}: {delta} points, {move}").format(
                previous=escape(view.previous_title), delta=_signed(view.change.points_delta), move=move
            )
        )
        lines += [
            f"  {escape(code)}. {escape(view.index_names.get(code, code))}: {_signed(delta)}"
            for code, delta in view.change.index_deltas.items()
            if delta
        ]
    stats = cohort.stats
    if stats is not None:
        top = stats.top
        top_name = escape(top.name) if view.show_peer_names or top.code == view.unit_code else _("(hidden)")
        lines.append(
            _("Cohort average: {average} · top: {top} ({points})").format(
                average=vn_number(stats.average_points), top=top_name, points=vn_number(top.result.points)
            )
        )
    lines.append(provisional_note(view))
    return Screen("\n".join(lines), result_buttons())


def weakest_screen(view: Weakest) -> Screen:
    lines = [_("📉 <b>Weakest items — {unit}</b>").format(unit=escape(view.standing.unit_name))]
    if not view.items:
        lines.append(_("Every item is at full points."))
    reason_text = {
        "unanswered": _("not answered"),
        "awaiting_coordinator": _("waiting for the coordinator's figure"),
        "sent_back": _("sent back for supplement"),
        "missing_evidence": _("evidence missing"),
        "partial": _("partly scored"),
        "zero": _("scored zero"),
    }

    def line(n: int, item: WeakItem) -> str:
        return _("{n}. {code} {name}: {points}/{max} — {why}").format(
            n=n,
            code=escape(item.code),
            name=escape(item.name),
            points=vn_points(item.points),
            max=vn_points(item.max_points),
            why=reason_text[item.reason],
        )

    for n, item in enumerate(view.items, 1):
        failed = _("{n}. {code}: cannot be shown").format(n=n, code=escape(item.code))
        lines.append(guarded(item.code, partial(line, n, item), failed))
    fix = view.fix
    if fix is not None and fix.rank_after is not None:
        lines.append(
            _("💡 Bringing {codes} to full points: {points} points, rank {before} → {after}.").format(
                codes=", ".join(fix.sub_codes),
                points=vn_number(fix.points),
                before=fix.rank_before,
                after=fix.rank_after,
            )
        )
    lines.append(provisional_note(view.standing))
    return Screen("\n".join(lines), result_buttons())


def overview_screen(view: Standing) -> Screen:
    counts = view.entry.result.counts
    text = "\n".join(
        [
            _("📋 <b>Overview — {unit}</b>").format(unit=escape(view.unit_name)),
            _("At full points: {n}").format(n=counts.full),
            _("Partly scored: {n}").format(n=counts.partial),
            _("Scored zero: {n}").format(n=counts.zero),
            _("Not answered: {n}").format(n=counts.unanswered),
            _("Not applicable: {n}").format(n=counts.not_applicable),
            _("Waiting for review: {n}").format(n=view.pending_reviews),
            provisional_note(view),
        ]
    )
    return Screen(text, result_buttons())
