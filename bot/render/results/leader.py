"""Leaders' screens: rank, weakest items, overview, what-if, year on year, and the charts' captions."""

from __future__ import annotations

from datetime import date
from functools import partial
from html import escape

from bot.i18n import _
from bot.render.actions import Action, menu
from bot.render.assessment.cards import guarded
from bot.render.campaign.phases import phase_line
from bot.render.numbers import shown_change, vn_date, vn_number, vn_percent, vn_points
from bot.render.screen import Button, Screen, rows
from bot.services.results.leader import (
    IndexChoice,
    ItemChoice,
    Standing,
    Weakest,
    WeakItem,
    WhatIfMenu,
    WhatIfResult,
    YearOverYear,
)
from scoring.states import PeriodState


def _signed(value, places: int = 2) -> str:  # type: ignore[no-untyped-def]
    text = vn_number(value, places)
    return text if text.startswith("-") else f"+{text}"


def result_buttons() -> tuple[tuple[Button, ...], ...]:
    return rows(
        [Button(_("📊 Charts"), menu("charts")), Button(_("📉 Weakest items"), menu("weakest"))],
        [Button(_("🔮 If at maximum"), menu("whatif")), Button(_("📈 Against last year"), menu("compare"))],
        [Button(_("📋 Overview"), menu("overview")), Button(_("🏠 Main menu"), menu("menu"))],
    )


def phase_note(view: Standing) -> list[str]:
    """The period's phase in one line ("🗓 Đang thẩm định; đơn vị bổ sung hồ sơ đến 15/12/2026."), when
    the day is known; none once the results are final (the provisional note says so)."""
    if view.today is None or view.period_state in ("", PeriodState.PUBLISHED):
        return []
    return ["🗓 " + phase_line(view, view.today)]


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
    lines += phase_note(view)
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
    lines += phase_note(view.standing)
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
            why=(
                (
                    _("figure provided by {provider}").format(provider=escape(item.provider))
                    if item.provider
                    else _("figure entered by the coordinator")
                )
                if item.reason == "external"
                else reason_text[item.reason]
            ),
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
            *phase_note(view),
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


# -- shared pieces of the what-if, year-on-year and chart screens ------------------------------


def _moved(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return ""
    if after < before:
        return _("up {n} places").format(n=before - after)
    if after > before:
        return _("down {n} places").format(n=after - before)
    return _("same rank")


def _rank(view: Standing, rank: int | None, count: int | None = None) -> str:
    if rank is None:
        return _("not ranked")
    return f"{rank}/{len(view.cohort.ranked) if count is None else count}"


def _now_line(view: Standing) -> str:
    result = view.entry.result
    return _("Now: {points}/{total} points · DTI value {value} · rank {rank}").format(
        points=vn_number(result.points, view.places_points),
        total=vn_number(result.max_points, 0),
        value=vn_number(result.value, view.places_value),
        rank=_rank(view, view.entry.rank),
    )


def _data_of(today: date | None) -> str:
    return "" if today is None else _("Data of {date}.").format(date=vn_date(today))


# -- what if an item earned its maximum --------------------------------------------------------


def _wif(view: Standing, code: str = "", arg: str = "") -> str:
    return Action("wif", view.unit_id, view.period_id, code, arg).pack()


def _item_state(item: ItemChoice) -> str:
    return {
        "full": _("at maximum"),
        "unanswered": _("not answered"),
        "not_applicable": _("not applicable"),
        "published": _("published value"),
    }.get(item.status, "")


def _item_line(item: ItemChoice) -> str:
    state = _item_state(item)
    figure = f"{vn_points(item.points)}/{vn_points(item.max_points)}"
    return f"• <b>{escape(item.code)}</b> {escape(item.name)} — {figure}" + (f" ({state})" if state else "")


def _item_button(view: Standing, item: ItemChoice) -> Button:
    mark = {"full": "✅ ", "not_applicable": "➖ ", "published": "📌 "}.get(item.status, "🔮 ")
    label = f"{mark}{item.code} · {vn_points(item.points)}/{vn_points(item.max_points)}"
    return Button(label, _wif(view, item.code, "s"))


def _index_button(view: Standing, index: IndexChoice) -> Button:
    label = f"{index.code}. {index.name} · {vn_points(index.points)}/{vn_points(index.max_points)}"
    return Button(label, _wif(view, index.code, "i"))


def _pairs(buttons: list[Button]) -> list[list[Button]]:
    return [buttons[n : n + 2] for n in range(0, len(buttons), 2)]


def what_if_menu_screen(choices: WhatIfMenu) -> Screen:
    """Pick the item: the ones losing the most first, then every index; or an index's items."""
    view = choices.standing
    lines = [
        _("🔮 <b>If an item earned its maximum — {unit}</b>").format(unit=escape(view.unit_name)),
        escape(view.period_title),
        _now_line(view),
        "",
    ]
    if choices.index is None:
        lines.append(
            _("Pick a sub-index to see the total points, the DTI value and the rank if it earned its maximum.")
        )
        buttons: list[list[Button]] = []
        if choices.weakest:
            lines += ["", _("<b>Losing the most points:</b>"), *(_item_line(i) for i in choices.weakest)]
            buttons += _pairs(
                [Button(f"🔮 {i.code} (+{vn_points(i.lost)})", _wif(view, i.code, "s")) for i in choices.weakest]
            )
        lines += ["", _("Or pick an index:")]
        buttons += [[_index_button(view, i)] for i in choices.indices]
        buttons.append([Button(_("🏆 Ranking"), menu("rank")), Button(_("🏠 Main menu"), menu("menu"))])
        return Screen("\n".join(lines), rows(*buttons))
    index = choices.index
    lines.append(
        _("<b>{code}. {name}</b>: {points}/{max} points").format(
            code=escape(index.code),
            name=escape(index.name),
            points=vn_points(index.points),
            max=vn_points(index.max_points),
        )
    )
    if index.published:
        lines.append(_("📌 This index is taken from the published result: its items do not change the points."))
    lines += [*(_item_line(i) for i in choices.items), "", _("Pick a sub-index:")]
    buttons = _pairs([_item_button(view, i) for i in choices.items])
    buttons += [
        [Button(_("⬅️ Other indices"), _wif(view))],
        [Button(_("🏆 Ranking"), menu("rank")), Button(_("🏠 Main menu"), menu("menu"))],
    ]
    return Screen("\n".join(lines), rows(*buttons))


def what_if_screen(outcome: WhatIfResult) -> Screen:
    """The unit now and if the item earned its maximum: total points, DTI value, rank."""
    view, item, result = outcome.standing, outcome.item, outcome.standing.entry.result
    code = escape(outcome.asked)
    lines = [_("🔮 <b>If {code} earned its maximum — {unit}</b>").format(code=code, unit=escape(view.unit_name))]
    if item is not None:
        lines.append(f"<b>{escape(item.code)}</b> {escape(item.name)} ({escape(outcome.index_name)})")
    if outcome.outcome == "unknown_item":
        lines.append(_("The framework has no sub-index “{code}”. Pick one with the buttons.").format(code=code))
    elif outcome.outcome == "not_applicable":
        lines.append(_("➖ This item does not apply to the unit: it does not count in the points."))
    elif outcome.outcome == "published":
        lines.append(
            _("📌 Index {index} is taken from the published result: this item does not change the points.").format(
                index=escape(outcome.index_name)
            )
        )
    elif outcome.outcome == "at_maximum":
        assert item is not None
        lines.append(
            _("✅ Already at its maximum ({max}/{max} points): nothing more to gain.").format(
                max=vn_points(item.max_points)
            )
        )
    if outcome.outcome != "gain":
        lines += [_now_line(view), provisional_note(view)]
        index = item.index_code if item is not None else ""
        return Screen("\n".join(lines), _what_if_buttons(view, index))
    assert item is not None
    total = vn_number(result.max_points, 0)
    # the increase is told once, on the total, from the two totals as shown: 53,83 → 60,49 (tăng 6,66)
    before, after, change = shown_change(result.points, outcome.points_after, view.places_points)
    lines += [
        _("Item: {points}/{max} now → {max}/{max}").format(
            points=vn_points(item.points), max=vn_points(item.max_points)
        ),
        "",
        _("Total points: {before} → <b>{after}</b>/{total} ({change})").format(
            before=before, after=after, total=total, change=_change_words(change, view.places_points)
        ),
        _("DTI value: {before} → <b>{after}</b>").format(
            before=vn_number(result.value, view.places_value), after=vn_number(outcome.value_after, view.places_value)
        ),
    ]
    if view.entry.rank is None:
        lines.append(_("Scored but not ranked ({cohort}).").format(cohort=escape(view.cohort.name)))
    else:
        lines.append(
            _("Rank: {before} → <b>{after}</b> of {count} ({move})").format(
                before=view.entry.rank,
                after=outcome.rank_after,
                count=len(view.cohort.ranked),
                move=_moved(view.entry.rank, outcome.rank_after),
            )
        )
    lines += [_("<i>An estimate: the other units' results as they stand now.</i>"), provisional_note(view)]
    return Screen("\n".join(lines), _what_if_buttons(view, item.index_code))


def _change_words(change, places: int) -> str:  # type: ignore[no-untyped-def]
    """ "tăng 6,66" / "giảm 1,25" / "không đổi", in the form of the figures it is the difference of."""
    if change > 0:
        return _("up {change}").format(change=vn_number(change, places))
    if change < 0:
        return _("down {change}").format(change=vn_number(-change, places))
    return _("unchanged")


def _what_if_buttons(view: Standing, index_code: str) -> tuple[tuple[Button, ...], ...]:
    back = Button(_("🔮 Another item"), _wif(view, index_code, "i") if index_code else _wif(view))
    return rows(
        [back, Button(_("📉 Weakest items"), menu("weakest"))],
        [Button(_("🏆 Ranking"), menu("rank")), Button(_("🏠 Main menu"), menu("menu"))],
    )


# -- this year against the previous period -----------------------------------------------------


def year_over_year_line(view: YearOverYear) -> str:
    """The short comparison: "Against 2025: +12,50 points, rank 4 → 2 (up 2 places)." """
    standing, before = view.standing, view.before
    if before is None:
        return ""
    now = standing.entry.result
    # the change between the two totals as the screen shows them, so the figures add up for the reader
    delta = _signed(shown_change(before.result.points, now.points, standing.places_points)[2], standing.places_points)
    if standing.entry.rank is None or before.rank is None:
        return _("Against {previous}: {delta} points.").format(previous=escape(standing.previous_title), delta=delta)
    return _("Against {previous}: {delta} points, rank {before} → {now} ({move}).").format(
        previous=escape(standing.previous_title),
        delta=delta,
        before=before.rank,
        now=standing.entry.rank,
        move=_moved(before.rank, standing.entry.rank),
    )


def year_over_year_caption(view: YearOverYear, today: date | None = None) -> str:
    standing, before = view.standing, view.before
    assert before is not None
    now = standing.entry.result

    def year_line(year: str, points, value, rank: str) -> str:  # type: ignore[no-untyped-def]
        return _("{year}: {points} points · DTI value {value} · rank {rank}").format(
            year=escape(year),
            points=vn_number(points, standing.places_points),
            value=vn_number(value, standing.places_value),
            rank=rank,
        )

    lines = [
        _("📈 <b>Against {previous} — {unit}</b>").format(
            previous=escape(standing.previous_title), unit=escape(standing.unit_name)
        ),
        year_line(str(standing.year), now.points, now.value, _rank(standing, standing.entry.rank)),
        year_line(
            standing.previous_title,
            before.result.points,
            before.result.value,
            _rank(standing, before.rank, standing.previous_ranked),
        ),
        year_over_year_line(view),
    ]
    moves = [(i.points - i.points_before, i) for i in view.indices if i.points_before is not None]
    up, down = max(moves, default=None, key=lambda m: m[0]), min(moves, default=None, key=lambda m: m[0])
    if up is not None and up[0] > 0:
        lines.append(
            _("Most gained: {code}. {name} ({delta})").format(
                code=escape(up[1].code), name=escape(up[1].name), delta=_signed(up[0])
            )
        )
    if down is not None and down[0] < 0:
        lines.append(
            _("Most lost: {code}. {name} ({delta})").format(
                code=escape(down[1].code), name=escape(down[1].name), delta=_signed(down[0])
            )
        )
    lines.append(" ".join(filter(None, [_data_of(today), _("⚠️ Provisional.") if standing.provisional else ""])))
    return "\n".join(lines)


def year_over_year_missing_screen(view: YearOverYear) -> Screen:
    """Nothing to compare with, said plainly."""
    standing = view.standing
    lines = [
        _("📈 <b>Against last year — {unit}</b>").format(unit=escape(standing.unit_name)),
        escape(standing.period_title),
    ]
    if view.missing == "no_previous_period":
        lines.append(_("This period is not linked to a previous one: there is no earlier result to compare with."))
    else:
        lines.append(_("The unit has no result in the previous period: there is nothing to compare with."))
    lines.append(_now_line(standing))
    return Screen("\n".join(lines), result_buttons())


# -- captions of the charts --------------------------------------------------------------------


def index_chart_caption(view: Standing, today: date | None = None) -> str:
    lines = [
        _("📊 <b>Points per index — {unit}</b>").format(unit=escape(view.unit_name)),
        escape(view.period_title),
        _("Orange: the unit's points; black mark: the average of {cohort}; grey: the maximum.").format(
            cohort=escape(view.cohort.name)
        ),
        " ".join(filter(None, [_data_of(today), _("⚠️ Provisional.") if view.provisional else ""])),
    ]
    return "\n".join(lines)


def ranking_chart_caption(view: Standing, today: date | None = None, top: int = 10) -> str:
    ranked = len(view.cohort.ranked)
    shown = min(top, ranked)
    if view.entry.rank is not None and view.entry.rank <= shown:
        who = _("The top {count} of {total} units; {unit} is rank {rank}.")
    else:
        who = _("The top {count} of {total} units, and {unit} (rank {rank}).")
    lines = [
        _("🏆 <b>DTI value ranking — {cohort}</b>").format(cohort=escape(view.cohort.name)),
        escape(view.period_title),
        who.format(count=shown, total=ranked, unit=escape(view.unit_name), rank=_rank(view, view.entry.rank)),
        " ".join(filter(None, [_data_of(today), _("⚠️ Provisional.") if view.provisional else ""])),
    ]
    return "\n".join(lines)
