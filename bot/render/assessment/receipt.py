"""The receipt of a submission: inline when short; otherwise a UTF-8 text file with a short summary.

The text file is the unit's proof of what it sent: each item's answer and points, and for each
evidence file its SHA-256, which anyone can recompute from the file (`sha256sum`, `certutil -hashfile
<file> SHA256`) and compare.
"""

from __future__ import annotations

from html import escape, unescape

from bot.i18n import _
from bot.render.assessment.cards import describe_answer, points_text
from bot.render.numbers import vn_date, vn_datetime, vn_number, vn_points
from bot.render.screen import Screen
from bot.services.assessment.receipt import Receipt, ReceiptEvidence, ReceiptItem

INLINE_LIMIT = 3500  # characters: a longer receipt goes as a file (a message holds at most 4096)


def _evidence_line(piece: ReceiptEvidence) -> str:
    if piece.kind == "link":
        return _("link: {url}").format(url=piece.name)
    if piece.kind == "document_ref":
        when = vn_date(piece.day) if piece.day else ""
        return _("cited document: {number} ({date}) {summary}").format(
            number=piece.name, date=when, summary=piece.summary
        )
    size = _("{kb} KB").format(kb=vn_number((piece.size or 0) / 1024, 1)) if piece.size is not None else ""
    label = piece.name or (_("photo") if piece.kind == "photo" else _("file"))
    return _("{name} ({size}) SHA-256: {sha}").format(name=label, size=size, sha=piece.sha256 or "—")


def _answer(item: ReceiptItem) -> str:
    if item.raw is None:
        return _("not answered")
    answer = unescape(describe_answer(item.sub, item.raw))
    return f"{answer} — {points_text(item.points, item.sub.max_points, item.provisional)}"


def receipt_lines(receipt: Receipt) -> list[str]:
    """The whole receipt as plain text lines (for the file, or escaped for the chat)."""
    ref = receipt.ref
    lines = [
        _("SELF-ASSESSMENT SUBMISSION RECEIPT"),
        _("Unit: {unit}").format(unit=ref.unit_name),
        _("Period: {title}").format(title=ref.title),
        _("Submitted at: {at} (Vietnam time)").format(at=vn_datetime(receipt.at)),
        _("Items submitted: {submitted}/{total} · self-scored total: {points}/{max}").format(
            submitted=receipt.submitted,
            total=len(receipt.items),
            points=vn_points(receipt.points),
            max=vn_points(receipt.max_points),
        ),
        "",
    ]
    for item in receipt.items:
        if item.raw is None and not item.evidence:
            continue  # named once below
        lines.append(f"{item.sub.code} {item.sub.name}")
        lines.append("  " + _("Answer: {answer}").format(answer=_answer(item)))
        lines += ["  - " + _evidence_line(piece) for piece in item.evidence]
    unanswered = [item.sub.code for item in receipt.items if item.raw is None and not item.evidence]
    if unanswered:
        lines += ["", _("⬜ Not answered (count as 0): {codes}").format(codes=", ".join(unanswered))]
    lines += [
        "",
        _(
            "SHA-256 is the fingerprint of a file: computing it again from the file sent must give the same "
            "value (sha256sum, or certutil -hashfile <file> SHA256 on Windows)."
        ),
    ]
    return lines


def receipt_file(receipt: Receipt) -> tuple[str, bytes]:
    """The receipt as a UTF-8 text file (with a byte-order mark, so Windows Notepad reads the accents)."""
    name = f"bien-nhan-{receipt.ref.unit_id}-{receipt.ref.period_id}-{receipt.at:%Y%m%d-%H%M%S}.txt"
    text = "\r\n".join(receipt_lines(receipt)) + "\r\n"
    return name, ("\ufeff" + text).encode("utf-8")


def receipt_message(receipt: Receipt) -> Screen | None:
    """The whole receipt as a chat message, or None when it is too long for one (send the file)."""
    text = "\n".join(escape(line) for line in receipt_lines(receipt))
    text = f"🧾 {text}"
    return Screen(text) if len(text) <= INLINE_LIMIT else None


def receipt_summary(receipt: Receipt) -> Screen:
    """The short message that goes with the receipt file."""
    files = sum(1 for item in receipt.items for piece in item.evidence if piece.sha256)
    return Screen(
        _(
            "🧾 Receipt of the submission of {unit}: {submitted}/{total} items, {points}/{max} points, "
            "{files} evidence files with their SHA-256 — all in this file. Keep it as proof of what was sent."
        ).format(
            unit=escape(receipt.ref.unit_name),
            submitted=receipt.submitted,
            total=len(receipt.items),
            points=vn_points(receipt.points),
            max=vn_points(receipt.max_points),
            files=files,
        )
    )
