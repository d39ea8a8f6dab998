"""Screens of the guided self-assessment: the item, its evidence, the list, the summary."""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from html import escape
from typing import Any, TypeVar

from bot.i18n import _
from bot.render.actions import Action
from bot.render.appraisal.status import status_lines
from bot.render.assessment.editability import read_only_sentence, supplement_sentence
from bot.render.assessment.explanations import (
    EXPLAIN,
    explanation_button,
    explanation_line,
    explanation_notice,
    explanation_prompt,
    explanation_step_buttons,
)
from bot.render.campaign.phases import phase_line
from bot.render.numbers import vn_date, vn_number, vn_points
from bot.render.screen import Button, Screen, rows
from bot.services.assessment.views import (
    DONE,
    PARTIAL,
    ExternalLine,
    ItemList,
    ItemView,
    Notice,
    Paused,
    PeriodRef,
    Summary,
    UnitApprovalStatus,
)
from bot.wording import typed_number
from scoring import SubIndex, parse_decimal
from scoring.evidence import evidence_needed
from scoring.methods import Ratio
from scoring.states import PeriodState

logger = logging.getLogger(__name__)
T = TypeVar("T")

BAR_CELLS = 10
MARKS = {DONE: "✅", PARTIAL: "◐", "missing": "⬜"}
PICK, CONFIRM = "pick", "confirm"  # the cursor steps of bot.services.assessment.flow
_BROKEN = (ArithmeticError, ValueError, TypeError, KeyError, AttributeError, IndexError)


def guarded(code: str, build: Callable[[], T], fallback: T | None = None) -> T | str:
    """One item's part of a screen; if a stored value cannot be shown, say which item failed
    (the log names the item, never the value) and let the rest of the screen render."""
    try:
        return build()
    except _BROKEN as exc:  # the exception's text may hold the value: only its type is logged
        logger.warning("could not render a stored value: item=%s error=%s", code, type(exc).__name__)
        return fallback if fallback is not None else cannot_show(code)


def cannot_show(code: str) -> str:
    return _("⚠️ The stored answer of item {code} cannot be shown.").format(code=escape(code))


def progress_bar(done: int, total: int) -> str:
    filled = round(BAR_CELLS * done / total) if total else 0
    return f"{'▓' * filled}{'░' * (BAR_CELLS - filled)} {done}/{total}"


def points_text(points: Decimal | None, max_points: Decimal, provisional: bool = False) -> str:
    text = _("{points}/{max} points").format(points=vn_points(points or Decimal(0)), max=vn_points(max_points))
    if not provisional:
        return text
    return _("{points} (provisional)").format(points=text)


def period_name(ref: PeriodRef) -> str:
    """The period's short name on the self-assessment's screens ("DTI 2026"); its title when its
    year is not known."""
    return _("DTI {year}").format(year=ref.year) if ref.year else escape(ref.title)


def header(ref: PeriodRef, deadline: bool = True) -> str:
    """The campaign's header (the first card, the list, the summary): the period's short name and
    the unit, with the deadline ("DTI 2026 · Sở Nội vụ · hạn chót 08/12/2026"; `deadline`=False: one
    line for the first card, the menu just above it says the days left); once the self-assessment is
    over, the phase in one sentence instead of the deadline (e.g. "🗓 Đang thẩm định; đơn vị bổ sung
    hồ sơ đến 15/12/2026.") and, short, what can be changed."""
    phase = phase_text(ref)
    name = f"<b>{period_name(ref)} · {escape(ref.unit_name)}</b>"
    if not phase:
        line = _("{name} · deadline {deadline}").format(name=name, deadline=vn_date(ref.deadline)) if deadline else name
        status = status_line(ref)
        return f"{line}\n{status}" if status else line
    lines = [name, "🗓 " + phase]
    if ref.supplement:
        lines.append(supplement_sentence(ref.supplement_deadline))
    elif ref.read_only == "appraisal":  # the phase's sentence has said the rest
        lines.append("🔒 " + _("Only items sent back for supplement can be changed."))
    elif ref.read_only:
        lines.append("🔒 " + _("Answers are read-only."))
    return "\n".join(lines)


def phase_text(ref: PeriodRef) -> str:
    """The period's phase in one sentence once the self-assessment is over (appraisal, provisional
    or final results); "" while it lasts — the deadline says enough, and a passed deadline has its
    own read-only sentence."""
    if ref.today is None or ref.state in ("", PeriodState.OPEN):
        return ""
    return phase_line(ref, ref.today)


def status_line(ref: PeriodRef) -> str:
    """Read-only and why, or open for a supplement until when; empty for an ordinary open item.
    On every card (the rest of the header only on the first one)."""
    if ref.read_only:
        return "🔒 " + read_only_text(ref)
    if ref.supplement:
        return supplement_sentence(ref.supplement_deadline)
    return ""


def read_only_text(ref: PeriodRef) -> str:
    return read_only_sentence(ref.read_only, ref.deadline, ref.supplement_deadline)


def notice_text(notice: Notice | None) -> str:
    if notice is None:
        return ""
    d = notice.details
    if notice.kind in ("recorded", "unchanged"):
        template = _("✅ Saved {code}: {points}") if notice.kind == "recorded" else _("☑️ {code} unchanged: {points}")
        return template.format(code=d["code"], points=points_text(d["points"], d["max"], d["provisional"]))
    if notice.kind.startswith("explanation_"):
        return explanation_notice(notice)
    return {
        "evidence_added": _("📎 Evidence received."),
        "evidence_duplicate": _("📎 This file is already attached to the item; it was kept once."),
        "evidence_removed": _("🗑 Evidence removed."),
        "docref_saved": _("📄 Cited document saved."),
        "submitted": _(
            "📨 Submitted {count} answers. Reviewers will check them; you will be told if anything is sent back."
        ),
        "submitted_to_leader": _(
            "📨 Submitted {count} answers to your unit's leader for approval; you will be told when it is approved "
            "or returned."
        ),
    }.get(notice.kind, "").format(**d)


def describe_answer(sub: SubIndex, raw: dict[str, Any] | None) -> str:
    """The stored answer in words; a value that cannot be shown names the item instead."""
    return guarded(sub.code, lambda: _describe(sub, raw))


def _describe(sub: SubIndex, raw: dict[str, Any] | None) -> str:
    if raw is None:
        return _("not answered")
    kind = sub.method.kind
    unit = f" {escape(sub.unit)}" if sub.unit else ""
    if kind == "yes_no":
        return _("Yes") if raw.get("yes") else _("No")
    if kind == "options":
        return next((escape(o.label) for o in sub.method.options if o.code == raw.get("option")), "?")
    if kind == "criteria":
        chosen = [escape(c.name) for c in sub.criteria if c.code in raw.get("criteria", [])]
        return "; ".join(chosen) if chosen else _("none of the criteria")
    if kind == "ratio":
        a, b = parse_decimal(raw["a"]), parse_decimal(raw["b"])
        share = f" ({vn_number(a / b * 100, 1)} %)" if b else ""
        return f"{typed_number(a)}/{typed_number(b)}{unit}{share}"
    if kind == "count_tiers":
        return f"{typed_number(raw['count'])}{unit}"
    if kind == "minmax":
        return f"{typed_number(raw['value'])}{unit}"
    return escape(f"{raw}")


def one_of(words: list[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    if len(words) < 2:
        return "".join(words)
    return _("{items} or {last}").format(items=", ".join(words[:-1]), last=words[-1])


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def mid_sentence(label: str) -> str:
    """A framework's label inside a sentence: its first letter lowered ("Kinh phí đã bố trí" →
    "kinh phí đã bố trí"), unless its first word has more capitals, as an acronym ("CNTT", "UBND")."""
    first = label.split(maxsplit=1)[0] if label.strip() else ""
    if not first[:1].isupper() or any(c.isupper() for c in first[1:]):
        return label
    return label[:1].lower() + label[1:]


def evidence_kinds_text(sub: SubIndex) -> str:
    """What the item takes as evidence, in words: "tệp hoặc văn bản trích dẫn" (only its kinds)."""
    names = {"photo": _("a photo"), "file": _("a file"), "link": _("a link"), "document_ref": _("a cited document")}
    return one_of([name for kind, name in names.items() if kind in sub.evidence.kinds])


def evidence_ways(sub: SubIndex, short: bool = False) -> str:
    """How to send what the item takes, as an instruction: "gửi ảnh ngay trong khung chat", "dán đường
    dẫn", "trích dẫn văn bản" (`short`: "gửi tệp hoặc trích dẫn văn bản") — only the kinds its
    evidence rule accepts."""
    kinds = sub.evidence.kinds or ("photo", "file", "link", "document_ref")
    ways = []
    if "photo" in kinds and "file" in kinds:
        ways.append(
            _("send a photo or a file") if short else _("send photos or files (PDF, Word, Excel…) here in the chat")
        )
    elif "photo" in kinds:
        ways.append(_("send a photo") if short else _("send photos here in the chat"))
    elif "file" in kinds:
        ways.append(_("send a file") if short else _("send files (PDF, Word, Excel…) here in the chat"))
    if "link" in kinds:
        ways.append(_("paste a link"))
    if "document_ref" in kinds:
        ways.append(_("cite a document"))
    return one_of(ways)


def item_screen(view: ItemView, notice: bool = True) -> Screen:
    """One item's card, short enough for a phone: the campaign's header (and "illustrative") only
    on the first card (`view.intro`); `notice`: whether the card itself says what was just done
    (not when a separate receipt says it)."""
    sub = view.sub
    lines = []
    if view.intro:
        lines.append(header(view.ref, deadline=False))
        if sub.illustrative:
            lines.append(_("<i>Illustrative items, not official.</i>"))
    elif status := status_line(view.ref):
        lines.append(status)
    if view.notice and notice:
        lines += [notice_text(view.notice), ""]
    lines += [
        _("<b>{code} {name}</b> (up to {max} points)").format(
            code=escape(sub.code), name=escape(sub.name), max=vn_points(sub.max_points)
        ),
        progress_bar(view.answered, view.total),
    ]
    lines.append("❓ " + escape(sub.question))
    if sub.hint:
        lines.append("💡 " + escape(sub.hint))
    if sub.evidence.kinds:
        need = _("required") if sub.evidence.required else _("optional")
        if sub.evidence.required and view.raw is not None and not evidence_needed(sub, view.raw, view.points):
            need = _("not needed for this answer")  # "Không", or an answer earning nothing (scoring.evidence)
        line = _("📎 Evidence ({need}): {what}").format(
            need=need, what=sentence(escape(sub.evidence.description)) or evidence_kinds_text(sub)
        )
        if answering(view):  # what sending does now, on the same line: only the kinds the item takes
            line += " " + _("{ways} here.").format(ways=capitalised(evidence_ways(sub, short=True)))
        lines.append(line)
    if view.unreadable:
        lines.append(
            _("⚠️ The stored answer of item {code} no longer fits the item; answer it again.").format(
                code=escape(sub.code)
            )
        )
    elif view.raw is not None:
        lines.append(
            _("Current answer: {answer} — {points}").format(
                answer=describe_answer(sub, view.raw), points=points_text(view.points, sub.max_points, view.provisional)
            )
        )
    if view.review_comment:
        lines.append(_("↩️ Sent back by the reviewers: “{comment}”").format(comment=escape(view.review_comment)))
    lines += status_lines(view.appraisal)  # chờ thẩm định, đạt, điều chỉnh: 6 → 4 điểm. Lý do: …
    if view.explanation:
        lines.append(explanation_line(view))
    if view.evidence and view.step != "evidence_manage":
        lines.append(_("Evidence sent: {count}").format(count=len(view.evidence)))
    prompt = step_prompt(view)
    if prompt:  # right below the item (no blank line: a card fits a phone's screen)
        lines.append(prompt)
    typing = typing_line(view)
    if typing:
        lines.append(typing)
    return Screen("\n".join(lines), item_buttons(view))


def sentence(text: str) -> str:
    """Text that ends as a sentence (a full stop added when it has none), to be followed by another."""
    return text if not text or text[-1] in ".!?…" else text + "."


def answering(view: ItemView) -> bool:
    """The card waits for its answer: typing answers it, a photo, a file, a link or a cited document
    is evidence (the evidence line says which it takes)."""
    return not view.ref.read_only and view.step not in (
        "doc_number",
        "doc_date",
        "doc_summary",
        PICK,
        CONFIRM,
        EXPLAIN,
        "evidence",
        "evidence_manage",
    )


def typing_line(view: ItemView) -> str:
    """One short line: what typing (or sending a file) does on the card now. On the answer step the
    evidence line says it (`answering`)."""
    if view.ref.read_only or view.step in ("doc_number", "doc_date", "doc_summary", PICK, CONFIRM, EXPLAIN):
        return ""
    if view.step == "evidence":  # the evidence prompt just above says what to send: only what else typing does
        how = "number" if view.sub.method.number_fields() else view.sub.method.kind
        if how == "number":
            return _("⌨️ A number typed now changes the answer.")
        if how == "yes_no":
            return _("⌨️ “có”/“không” typed now changes the answer.")
        return ""
    kinds = evidence_kinds_text(view.sub)
    if not kinds:  # the item takes no evidence: typing answers it, and the prompt says how
        return ""
    if view.step == "evidence_manage":
        how = "number" if view.sub.method.number_fields() else view.sub.method.kind
        if how == "number":
            return _("⌨️ A number changes the answer; {kinds} sent here is evidence.").format(kinds=kinds)
        if how == "yes_no":
            return _("⌨️ “có”/“không” changes the answer; {kinds} sent here is evidence.").format(kinds=kinds)
        return _("⌨️ {kinds} sent here is evidence.").format(kinds=capitalised(kinds))
    return ""


def not_understood(text: str, answers_by: str) -> str:
    """Typed text that is neither an answer nor evidence for the open item: what typing does here."""
    shown = escape(text if len(text) <= 40 else text[:39] + "…")
    if answers_by == "number":
        what = _("type a number to change the answer, ")
    elif answers_by == "yes_no":
        what = _("type “có” or “không” to change the answer, ")
    else:
        what = ""
    return _(
        "“{text}” is not something this item takes. Here you can {what}paste a link, send a photo or "
        "a file, or cite a document as: number, date, summary (e.g. 45/KH-UBND, 15/02/2026, Kế hoạch…)."
    ).format(text=shown, what=what)


def old_card_text(view: ItemView | Summary) -> str:
    """What a button of an old card did (a toast): acted on that card's own item, or showed where one is."""
    if view.old_card == "acted" and isinstance(view, ItemView):
        return _("This was an older card: done for item {code}, now shown here.").format(code=view.sub.code)
    if view.old_card == "refreshed":
        if isinstance(view, ItemView):
            return _("This card was out of date; you are at item {code}.").format(code=view.sub.code)
        return _("This card was out of date; here is the summary.")
    return ""


def receipt_text(result: ItemView | Summary) -> str:
    """The short message that answers typed input or a file (the card itself is edited): what was
    saved, or what the card asks next."""
    if result.notice is not None:
        text = notice_text(result.notice)
        if isinstance(result, ItemView) and result.notice.kind in ("evidence_added", "docref_saved"):
            text += " " + _("Item {code}: {count} pieces of evidence.").format(
                code=escape(result.sub.code), count=len(result.evidence)
            )
        return text
    if isinstance(result, ItemView) and result.step == PICK:  # the card above asks, with its two buttons
        return _("☝️ “{typed}”: choose one of the two readings on the card above.").format(
            typed=escape(str(result.pending.get("text", "")))
        )
    if isinstance(result, ItemView):
        return step_prompt(result) or _("Item {code} is shown above.").format(code=escape(result.sub.code))
    return ""


def step_prompt(view: ItemView) -> str:
    sub, step = view.sub, view.step
    if view.ref.read_only:
        return ""
    if step == EXPLAIN:
        return explanation_prompt(view)
    if step == "b":
        assert isinstance(sub.method, Ratio)
        return _("✍️ Got {a}. Now type: {label}").format(
            a=guarded(sub.code, lambda: typed_number(view.pending["a"]), "?"),
            label=escape(mid_sentence(sub.method.b_label) or _("the total (b)")),
        )
    if step == PICK:
        return _("❓ “{typed}” can be read two ways. Which number do you mean?").format(
            typed=escape(str(view.pending.get("text", "")))
        )
    if step == CONFIRM:
        return guarded(sub.code, lambda: unusual_prompt(view))
    if step == "evidence":
        return _("📎 {ways}. Press “Next” when done.").format(ways=capitalised(evidence_ways(sub)))
    if step == "evidence_manage":
        listed = [f"{n}. {escape(e.label)}" for n, e in enumerate(view.evidence, 1)] or [_("No evidence yet.")]
        return "\n".join([_("🗂 Evidence of this item:"), *listed])
    if step == "doc_number":
        return _("📄 Type the document's number (e.g. 123/QĐ-UBND).")
    if step == "doc_date":
        return _("📅 Type the date it was issued (dd/mm/yyyy).")
    if step == "doc_summary":
        return _("📝 Type its summary (trích yếu).")
    kind = sub.method.kind
    if kind == "ratio":
        assert isinstance(sub.method, Ratio)
        return _("✍️ Type {a}, or both numbers as a/b (e.g. 45/50).").format(
            a=escape(mid_sentence(sub.method.a_label) or _("the achieved number (a)"))
        )
    if kind == "count_tiers":
        return _("✍️ Type a whole number.")
    if kind == "minmax":
        if sub.method.number_fields()["value"].integer:
            return _("✍️ Type a whole number.")
        return _("✍️ Type a number (12,5 and 12.5 are both fine).")
    if kind == "criteria":
        return _("Tick every criterion that holds, then press “Done”.")
    if kind == "options":  # its buttons, right below the question, are the answers: no line needed
        return ""
    return _("👇 Choose an answer:")


def field_label(sub: SubIndex, key: str) -> str:
    method = sub.method
    if key == "a" and isinstance(method, Ratio) and method.a_label:
        return escape(method.a_label)
    if key == "b" and isinstance(method, Ratio) and method.b_label:
        return escape(method.b_label)
    return escape(sub.name)


def unusual_prompt(view: ItemView) -> str:
    """ "Are you sure?" for numbers outside the plausible range the framework gives."""
    sub, raw = view.sub, view.pending["raw"]
    fields = sub.method.number_fields()
    lines = []
    for key in view.pending.get("unusual", []):
        field, value = fields[key], parse_decimal(raw[key])
        if field.plausible_max is not None and value > field.plausible_max:
            template = _("⚠️ {label}: {value} — unusually large (usually at most {bound}).")
            bound = field.plausible_max
        else:
            template = _("⚠️ {label}: {value} — unusually small (usually at least {bound}).")
            bound = field.plausible_min
        lines.append(template.format(label=field_label(sub, key), value=typed_number(value), bound=typed_number(bound)))
    lines.append(_("Are you sure? Press “Yes, save it”, or type the number again."))
    return "\n".join(lines)


def reading_buttons(view: ItemView, act: Any) -> list[list[Button]]:
    """The two readings of an ambiguous number: thousands grouped, or a decimal point."""
    choices = view.pending.get("choices", [])[:2]
    labels = (_("{value} (a dot groups thousands)"), _("{value} (the dot is a decimal mark)"))
    return [
        [Button(labels[n].format(value=typed_number(choice)), act("ans", f"r:{n}"))] for n, choice in enumerate(choices)
    ]


def item_buttons(view: ItemView) -> tuple[tuple[Button, ...], ...]:
    ref, sub = view.ref, view.sub

    def act(verb: str, arg: str = "", code: str = sub.code) -> str:
        return Action(verb, ref.unit_id, ref.period_id, code, arg).pack()

    nav_back = Button(_("⬅️ Back"), act("nav", "back"))
    nav_list = Button(_("📋 List"), act("lst", "0"))
    pause = Button(_("⏸ Pause"), act("nav", "pause"))
    forward = (
        Button(_("Next ➡️"), act("nav", "next"))
        if view.raw is not None or ref.read_only
        else (Button(_("⏭ Skip"), act("nav", "skip")) if sub.skippable else None)
    )
    bottom = [nav_back, *([forward] if forward else [])]
    if ref.read_only:
        return rows(bottom, [nav_list])
    if view.step == "evidence":
        tools = []
        if "document_ref" in sub.evidence.kinds:
            tools.append(Button(_("📄 Cite a document"), act("doc")))
        tools.append(Button(_("🗂 Evidence ({count})").format(count=len(view.evidence)), act("evm")))
        return rows(
            tools,
            explanation_button(view, act),
            [Button(_("✏️ Change answer"), act("nav", "edit")), Button(_("Next ➡️"), act("nav", "next"))],
            [nav_list, pause],
        )
    if view.step == "evidence_manage":
        deletes = [Button(_("🗑 Remove {n}").format(n=n), act("evd", str(e.id))) for n, e in enumerate(view.evidence, 1)]
        return rows(
            *[deletes[i : i + 3] for i in range(0, len(deletes), 3)],
            [Button(_("↩️ Back to the item"), act("nav", "evidence"))],
        )
    if view.step == PICK:
        picks = guarded(sub.code, lambda: reading_buttons(view, act), [])
        return rows(
            *(picks if isinstance(picks, list) else []), [Button(_("✖️ Cancel"), act("nav", "edit"))], [nav_list, pause]
        )
    if view.step == CONFIRM:
        return rows(
            [Button(_("✅ Yes, save it"), act("ans", "k")), Button(_("✏️ Type again"), act("nav", "edit"))],
            [nav_list, pause],
        )
    if view.step in ("b", "doc_number", "doc_date", "doc_summary"):
        return rows(
            [Button(_("✖️ Cancel"), act("nav", "evidence" if view.step.startswith("doc") else "edit"))],
            [nav_list, pause],
        )
    if view.step == EXPLAIN:
        return rows(explanation_step_buttons(view, act), [nav_list, pause])
    explain = explanation_button(view, act)
    if view.raw is not None:
        add = [Button(_("➕ Add evidence"), act("nav", "evidence"))]
        return rows(*answer_buttons(view, act), add + explain, bottom, [nav_list, pause])
    # not answered yet: "📝 Explanation" shares the row of the moves (one row less on a phone)
    return rows(*answer_buttons(view, act), bottom + explain, [nav_list, pause])


def answer_buttons(view: ItemView, act: Any) -> list[list[Button]]:
    sub = view.sub
    kind = sub.method.kind
    current = view.raw or {}
    if kind == "yes_no":
        yes, no = _("Yes"), _("No")
        if "yes" in current:
            yes, no = (f"• {yes} •", no) if current["yes"] else (yes, f"• {no} •")
        return [[Button(yes, act("ans", "y")), Button(no, act("ans", "n"))]]
    if kind == "options":
        return [
            [Button(("• " if current.get("option") == o.code else "") + o.label, act("ans", f"o:{o.code}"))]
            for o in sub.method.options
        ]
    if kind == "criteria":
        chosen = view.pending.get("criteria", current.get("criteria", []))
        toggles = [
            [
                Button(
                    ("✅ " if c.code in chosen else "⬜ ") + f"{c.name} ({vn_points(c.points)})",
                    act("ans", f"t:{c.code}"),
                )
            ]
            for c in sub.criteria
        ]
        return [*toggles, [Button(_("✔️ Done"), act("ans", "d"))]]
    return []


def list_screen(view: ItemList) -> Screen:
    lines = [header(view.ref), _("<b>All items</b> (✅ done · ◐ evidence missing or sent back · ⬜ not answered)")]
    buttons: list[list[Button]] = []
    for index_name, items in view.groups:
        lines.append(f"\n<b>{escape(index_name)}</b>")
        for row in items:
            pointer = " 👈" if row.code == view.current else ""
            lines.append(f"{MARKS[row.mark]} {escape(row.code)} {escape(row.name)}{pointer}")
        buttons += [
            [
                Button(
                    f"{MARKS[r.mark]} {r.code}",
                    Action("nav", view.ref.unit_id, view.ref.period_id, r.code, "open").pack(),
                )
                for r in items[i : i + 4]
            ]
            for i in range(0, len(items), 4)
        ]
    paging = []
    if view.page > 0:
        paging.append(
            Button(
                _("⬅️ Previous page"), Action("lst", view.ref.unit_id, view.ref.period_id, "", str(view.page - 1)).pack()
            )
        )
    if view.page + 1 < view.pages:
        paging.append(
            Button(_("Next page ➡️"), Action("lst", view.ref.unit_id, view.ref.period_id, "", str(view.page + 1)).pack())
        )
    summary = Button(_("📊 Summary and submit"), Action("smy", view.ref.unit_id, view.ref.period_id).pack())
    return Screen("\n".join(lines), rows(*buttons, paging, [summary]))


def _codes(items: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(code for code, _name in items)


def external_line(line: ExternalLine) -> str:
    """An item whose figure another agency provides: "số liệu do Sở Nội vụ cung cấp", or still awaited."""
    head = f"🔢 {escape(line.code)} {escape(line.name)}: "
    if line.points is None:
        return head + _("waiting for the coordinator's figure")
    source = (
        _("figure provided by {provider}").format(provider=escape(line.provider))
        if line.provider
        else _("figure entered by the coordinator")
    )
    return head + f"{source} — {vn_points(line.points)}/{vn_points(line.max_points)}"


def summary_screen(view: Summary) -> Screen:
    ref = view.ref
    lines = [header(ref)]
    if view.notice:
        lines += ["", notice_text(view.notice)]
    lines += [
        "",
        _("<b>Self-assessment summary</b>"),
        _("Answered {answered}/{total} items · self-scored total: {points}").format(
            answered=view.answered,
            total=view.total,
            points=f"{vn_points(view.points)}/{vn_points(view.max_points)}",  # as the leader's and the results'
        ),
    ]
    lines += [
        f"{escape(x.code)}. {escape(x.name)}: {vn_points(x.points)}/{vn_points(x.max_points)}" for x in view.lines
    ]
    lines += [external_line(x) for x in view.external]
    if view.missing_evidence:
        lines.append(_("⚠️ Evidence missing: {codes}").format(codes=_codes(view.missing_evidence)))
    if view.unanswered:
        lines.append(_("⬜ Not answered (count as 0): {codes}").format(codes=_codes(view.unanswered)))
    if view.sent_back:
        lines.append(_("↩️ Sent back for supplement: {codes}").format(codes=_codes(view.sent_back)))
    if view.unreadable:
        lines.append(
            _("⚠️ Stored answers that cannot be read (count as 0, answer them again): {codes}").format(
                codes=_codes(view.unreadable)
            )
        )
    if view.submitted and ref.read_only:  # header() says read-only and why: no "until the deadline" here
        lines.append(_("📨 Submitted."))
    elif view.submitted:
        lines.append(
            _(
                "📨 Submitted. You can still correct answers until the deadline; corrected ones are "
                "submitted again from here."
            )
        )
    if approval := approval_line(view.approval):
        lines.append(approval)
    back_to_list = Button(_("📋 List"), Action("lst", ref.unit_id, ref.period_id, "", "0").pack())
    if ref.read_only:
        return Screen("\n".join(lines), rows([back_to_list]))
    if view.confirming:
        lines += ["", _("Submit the answers now? Reviewers will start checking them.")]
        return Screen(
            "\n".join(lines),
            rows(
                [
                    Button(_("✅ Yes, submit"), Action("sbc", ref.unit_id, ref.period_id).pack()),
                    Button(_("✖️ Not yet"), Action("lst", ref.unit_id, ref.period_id, "", "0").pack()),
                ]
            ),
        )
    submit = Button(_("📨 Submit"), Action("smy", ref.unit_id, ref.period_id, "", "confirm").pack())
    return Screen("\n".join(lines), rows([submit], [back_to_list]))


def approval_line(status: UnitApprovalStatus | None) -> str:
    """Where the unit leader's approval stands, on the focal point's summary."""
    if status is None:
        return ""
    day = vn_date(status.at) if status.at is not None else "—"
    comment = escape(status.comment if len(status.comment) <= 300 else status.comment[:299] + "…")
    if status.state == "waiting":
        return _("📨 Sent to the unit's leader for approval on {date}.").format(date=day)
    if status.state == "approved":
        return _("✅ The unit's leader approved it on {date}.").format(date=day)
    if status.state == "returned":
        if comment:
            return _("↩️ Returned by the unit's leader on {date}: “{comment}”").format(date=day, comment=comment)
        return _("↩️ Returned by the unit's leader on {date}.").format(date=day)
    if status.state == "reopened":
        if comment:
            return _("🔓 Reopened by the coordinator on {date}: “{comment}”").format(date=day, comment=comment)
        return _("🔓 Reopened by the coordinator on {date}.").format(date=day)
    return ""


def paused_screen(view: Paused) -> Screen:
    text = _(
        "⏸ Paused at item {code} ({answered}/{total} answered). Everything is saved: type /tiep or press "
        "the button when you want to continue."
    ).format(code=view.code or "—", answered=view.answered, total=view.total)
    return Screen(text, rows([Button(_("▶️ Continue"), Action("mnu", arg="assess").pack())]))


def screen_for(result: ItemView | Summary | ItemList | Paused) -> Screen:
    if isinstance(result, ItemView):
        return item_screen(result)
    if isinstance(result, Summary):
        return summary_screen(result)
    if isinstance(result, ItemList):
        return list_screen(result)
    return paused_screen(result)
