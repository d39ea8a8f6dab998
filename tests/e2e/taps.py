"""Measure what one item costs a focal point: taps, typed messages, uploads, and what the bot shows
(new messages, edits of a message, pop-up toasts), for each kind of answer, through the real bot.

Each scenario starts with the item open and ends when the next item's card is shown; the counts
cover everything in between (the last card included). Used by tests/e2e/test_taps_per_answer_kind.py,
which writes the table as Markdown when DTI_TAPS_TABLE names a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.services.demo.files import png
from tests.e2e.harness import Person


class CountingPerson(Person):
    """A person whose every event from the bot is also kept in `log` (expect() consumes `pending`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log: list[dict[str, Any]] = []
        self.acts = {"taps": 0, "typed": 0, "uploads": 0}

    async def _pull(self, wait: float) -> None:
        before = len(self.pending)
        await super()._pull(wait)
        self.log += self.pending[before:]

    async def press(self, label: str) -> None:
        self.acts["taps"] += 1
        await super().press(label)

    async def send(self, text: str, update_id: int | None = None) -> dict[str, Any]:
        self.acts["typed"] += 1
        return await super().send(text, update_id)

    async def upload(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.acts["uploads"] += 1
        return await super().upload(*args, **kwargs)

    def start_counting(self) -> None:
        self.log.clear()
        self.pending.clear()
        self.acts = {"taps": 0, "typed": 0, "uploads": 0}


@dataclass
class Row:
    kind: str
    item: str
    steps: str
    taps: int
    typed: int
    uploads: int
    new_messages: int
    new_cards: int  # new messages that carry buttons (a whole card)
    edits: int
    toasts: int


# (answer kind, item code, the card that follows, the person's steps: (act, argument, what the bot shows next))
Step = tuple[str, str, str]
SCENARIOS: list[tuple[str, str, str, list[Step]]] = [
    ("yes/no", "1.2", "1.3 Tuyên truyền", [("press", "Có", "Đã ghi 1.2"), ("press", "Tiếp", "")]),
    ("choice (options)", "1.1", "1.2 Ban hành", [("press", "Phó Thủ trưởng", "Đã ghi 1.1"), ("press", "Tiếp", "")]),
    (
        "criteria checklist",
        "2.2",
        "2.3 Bố trí",
        [
            ("press", "Quy chế bảo đảm an toàn", "button:✅ Quy chế bảo đảm"),
            ("press", "Kế hoạch ứng dụng", "button:✅ Kế hoạch ứng dụng"),
            ("press", "Xong", "Đã ghi 2.2"),
            ("press", "Tiếp", ""),
        ],
    ),
    ("number", "1.3", "2.1 Quy chế", [("send", "9", "Đã ghi 1.3"), ("press", "Tiếp", "")]),
    ("ratio (a/b in one message)", "3.1", "3.2 Kết nối", [("send", "45/50", "Đã ghi 3.1"), ("press", "Tiếp", "")]),
    (
        "document citation (button, then three questions)",
        "2.1",
        "2.2 Văn bản",
        [
            ("press", "Không", "Đã ghi 2.1"),
            ("press", "Trích dẫn văn bản", "số hiệu"),
            ("send", "45/KH-SNV", "ngày ban hành"),
            ("send", "15/02/2026", "trích yếu"),
            ("send", "Kế hoạch chuyển đổi số năm 2026", "Đã lưu trích dẫn văn bản"),
            ("press", "Tiếp", ""),
        ],
    ),
    (
        "photo evidence",
        "3.2",
        "3.3 Tỷ lệ máy tính",
        [("press", "Có", "Đã ghi 3.2"), ("upload", "photo", "Đã nhận tài liệu"), ("press", "Tiếp", "")],
    ),
]


# Paths that the bot refused before issue 14 (point 2): typed input goes where the person is.
NEW_PATHS: list[tuple[str, str, str, list[Step]]] = [
    (
        "document citation (one message, on the answer step)",
        "4.1",
        "4.2 Tỷ lệ",
        [
            ("send", "Quyết định số 12/QĐ-SNV ngày 15/02/2026 về phân công cán bộ phụ trách", "Đã lưu trích dẫn"),
            ("press", "Có cán bộ chuyên trách", "Đã ghi 4.1"),
            ("press", "Tiếp", ""),
        ],
    ),
    (
        "ratio, with a link pasted first (on the answer step)",
        "2.3",
        "3.1 Tỷ lệ",
        [
            ("send", "https://snv.dongthap.gov.vn/ke-hoach-kinh-phi", "Đã nhận tài liệu kiểm chứng"),
            ("send", "3/4", "Đã ghi 2.3"),
            ("press", "Tiếp", ""),
        ],
    ),
]


async def open_item(person: CountingPerson, code: str) -> None:
    """Open an item from the list (not counted)."""
    await person.press("Danh sách")
    await person.expect_button(f" {code}")
    await person.press(f" {code}")
    await person.expect(f"{code} ")
    await person.quiet(0.5)


async def run_scenario(person: CountingPerson, code: str, following: str, steps: list[Step], kind: str) -> Row:
    await open_item(person, code)
    person.start_counting()
    for act, argument, shows in steps:
        if act == "press":
            await person.press(argument)
        elif act == "send":
            await person.send(argument)
        else:
            await person.upload(png(8, 8, (10, 120, 200)), "anh.png", kind="photo", mime="image/png")
        needle = shows or following
        if needle.startswith("button:"):
            await person.expect_button(needle[len("button:") :])
        else:
            await person.expect(needle)
    await person.quiet(1.0)  # whatever else the last step brings
    events = person.log
    from_bot = [e for e in events if e["kind"] == "toast" or e["message"].get("from", {}).get("is_bot")]
    return Row(
        kind,
        code,
        " → ".join(f"{a} {arg}" for a, arg, _ in steps),
        person.acts["taps"],
        person.acts["typed"],
        person.acts["uploads"],
        sum(1 for e in from_bot if e["kind"] == "message"),
        sum(1 for e in from_bot if e["kind"] == "message" and e["message"].get("reply_markup")),
        sum(1 for e in from_bot if e["kind"] == "edit"),
        sum(1 for e in from_bot if e["kind"] == "toast"),
    )


def live_button_messages(person: Person) -> int:
    """Bot messages in the chat that still carry buttons."""
    return sum(
        1
        for m in person.messages.values()
        if m.get("from", {}).get("is_bot") and not m.get("deleted") and m.get("reply_markup", {}).get("inline_keyboard")
    )


def table(rows: list[Row], title: str, live: int | None = None) -> str:
    lines = [
        f"# {title}",
        "",
        "Measured by tests/e2e/test_taps_per_answer_kind.py through the emulator against the real bot: from the",
        "item's card to the next item's card. Bot output: new messages in the chat, edits of a message, toasts.",
        "",
        "| answer kind | item | person: taps | typed | uploads | bot: new messages | of which whole cards | edits "
        "| toasts |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.kind} | {r.item} | {r.taps} | {r.typed} | {r.uploads} | {r.new_messages} | {r.new_cards} | {r.edits} "
        f"| {r.toasts} |"
        for r in rows
    ]
    if live is not None:
        lines += ["", f"Bot messages in the chat still carrying buttons after all the scenarios: {live}."]
    return "\n".join(lines) + "\n"
