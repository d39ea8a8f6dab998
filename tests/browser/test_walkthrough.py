"""The walkthrough of issues 13 and 14 in the sandbox's web chat, on a 360 px phone, in one run: what
each person sees and taps, saved as small screenshots for the closing notes.

Issue 14: a focal point's question card; a typed number (Vietnamese thousands) answered with a short
receipt and the live card; /help of each role; a leader's charts and what-if.
Issue 13, the whole cycle: the unit's leader approves; the council chair moves the period to
appraisal; an appraiser opens one unit's items together and sends one back with a comment, accepts
the rest and sends the unit its results; the other appraiser's queue holds only her indices; the
unit's focal point (a generated person without a persona button, shown through the same page) gets
one grouped notice; the chair follows the council and closes the appraisal; the leader reads the
provisional results and objects; the chair upholds the objection; the final results are published.

Screenshots go to bench/out/walkthrough/NN-name.png (with UPDATE_SCREENSHOTS=1 also to
docs/walkthrough/), each under 60 KB. Taps (buttons pressed) and typed messages are counted per flow
and printed. Every screen is checked for its key words, for no sideways scroll and no JS error.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.test_web_chat import (  # noqa: F401 — `sandbox` is the fixture this test uses
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    ROOT,
    SCREENSHOT_LIMIT,
    require_chromium,
    sandbox,
    small_png,
)

pytestmark = pytest.mark.browser
OUT = ROOT / "bench" / "out" / "walkthrough"
DOCS = ROOT / "docs" / "walkthrough"
LAN, TUAN, HAI, HA, YEN, SON, BAO = (
    "Nguyễn Thị Lan",
    "Lê Minh Tuấn",
    "Đỗ Thanh Hải",
    "Phạm Thu Hà",
    "Bùi Ngọc Yến",
    "Võ Thanh Sơn",
    "Đặng Quốc Bảo",
)
SEND_BACK = "Đề nghị bổ sung kế hoạch chuyển đổi số năm 2026 có chữ ký, đóng dấu."
OBJECTION = "Đơn vị đã đăng 15 tin, bài trên cổng thông tin điện tử trong năm; đề nghị chấm lại."
UPHOLD = "6; Đơn vị đăng 15 tin, bài trong kỳ đánh giá, có đường dẫn kiểm chứng."

# The text of the bot's messages as the page shows them, to tell a new or edited one from the old.
SNAPSHOT = "() => Array.from(document.querySelectorAll('.msg.bot')).map(n => n.dataset.messageId + '|' + n.innerText)"
CHANGED = """([before, wanted]) => Array.from(document.querySelectorAll('.msg.bot')).some(
    n => !before.includes(n.dataset.messageId + '|' + n.innerText) && wanted.every(w => n.innerText.includes(w)))"""
QUIET = """() => {  // the chat has not changed for 500 ms and its pictures are loaded
  const now = document.getElementById('messages').innerText.length + ':' + document.querySelectorAll('.msg').length;
  const images = Array.from(document.images).every(i => i.complete && i.naturalWidth > 0);
  if (window.__lastChat !== now) { window.__lastChat = now; window.__since = Date.now(); return false; }
  return images && Date.now() - window.__since > 500;
}"""
WIDTHS = """() => [document.documentElement.scrollWidth, document.getElementById('messages').scrollWidth,
                   document.getElementById('messages').clientWidth]"""


@dataclass
class Flow:
    name: str
    taps: int = 0
    typed: int = 0


@dataclass
class Walk:
    """The page, the flows' counts and the screenshots taken."""

    page: object
    flows: list[Flow] = field(default_factory=list)
    shots: list[tuple[str, int, str]] = field(default_factory=list)  # file, bytes, what it shows
    too_tall: list[str] = field(default_factory=list)

    @property
    def flow(self) -> Flow:
        return self.flows[-1]

    def begin(self, name: str) -> None:
        self.flows.append(Flow(name))

    async def persona(self, name: str) -> None:
        """Switch to a persona (sandbox navigation, not counted) and wait for its chat."""
        page = self.page
        if await page.is_visible("#switch"):
            await page.click("#switch")
        await page.click(f"#persona-list button:has-text('{name}')")
        await page.wait_for_selector("#composer:not([hidden])")
        await self.quiet()

    async def _acted(self, action, wanted: list[str]) -> None:  # type: ignore[no-untyped-def]
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        before = await self.page.evaluate(SNAPSHOT)
        await action()
        try:
            await self.page.wait_for_function(CHANGED, arg=[before, wanted], timeout=20_000)
        except PlaywrightTimeout as exc:  # say what the chat shows instead
            last = await self.page.locator(".msg.bot").all_inner_texts()
            raise AssertionError(f"{wanted} did not come; the chat ends with: {last[-2:]}") from exc

    async def tap(self, label: str, *wanted: str) -> None:
        """Press the newest button with this label; wait for a bot message showing `wanted`."""
        # Case-sensitive: “Công bố kết quả chính thức” is not “đã công bố kết quả chính thức”.
        button = self.page.locator(".msg.bot .keyboard button", has_text=re.compile(re.escape(label))).last
        await self._acted(button.click, list(wanted))
        self.flow.taps += 1

    async def type(self, text: str, *wanted: str) -> None:
        async def send() -> None:
            await self.page.fill("#text", text)
            await self.page.press("#text", "Enter")

        await self._acted(send, list(wanted))
        self.flow.typed += 1

    async def quiet(self) -> None:
        await self.page.wait_for_function(QUIET, timeout=20_000, polling=100)

    async def shot(self, name: str, what: str, *must: str, top: str = "") -> bytes:
        """The phone's screen now. `top`: a text of a message to scroll to its top when that message
        is taller than the chat (the title first, as one reads it); the bottom of the chat otherwise."""
        page = self.page
        await self.quiet()
        if top:
            message = page.locator(".msg.bot", has_text=top).last
            tall = await message.evaluate(
                """(m) => { const pane = document.getElementById('messages');
                  if (m.offsetHeight <= pane.clientHeight) return false;
                  pane.scrollTop += m.getBoundingClientRect().top - pane.getBoundingClientRect().top - 6;
                  return true; }"""
            )
            if tall:
                self.too_tall.append(name)
        text = await page.inner_text("#messages")
        for words in must:
            assert words in text, f"{name}: “{words}” not on the screen"
        page_width, chat_width, chat_client = await page.evaluate(WIDTHS)
        assert page_width <= PHONE["width"] and chat_width <= chat_client, f"{name}: sideways scroll"
        png = small_png(await page.screenshot())
        assert png.startswith(b"\x89PNG") and len(png) < SCREENSHOT_LIMIT, (name, len(png))
        OUT.mkdir(parents=True, exist_ok=True)
        file = f"{len(self.shots) + 1:02d}-{name}.png"
        (OUT / file).write_bytes(png)
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            DOCS.mkdir(parents=True, exist_ok=True)
            (DOCS / file).write_bytes(png)
        self.shots.append((file, len(png), what))
        return png


def generated_focal_point(database: Path, unit_code: str) -> tuple[int, str]:
    """The telegram id and name of the focal point the demo generated for a unit (no persona button)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(
            "SELECT p.telegram_id, p.full_name FROM person p JOIN membership m ON m.person_id = p.id "
            "JOIN unit u ON u.id = m.unit_id WHERE u.code = ? AND m.role = 'focal_point'",
            (unit_code,),
        ).fetchone()


async def test_the_two_issues_walked_on_a_phone_in_the_sandbox_screen_by_screen(sandbox, tmp_path):  # noqa: F811
    require_chromium()
    from playwright.async_api import async_playwright

    url, _terminal = sandbox
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport=PHONE)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        await page.goto(url)
        await page.wait_for_selector("#persona-list button")
        walk = Walk(page)

        # ---- Issue 14: the focal point's conversation ---------------------------------------------
        walk.begin("14 · a question card (Lan)")
        await walk.persona(LAN)
        await page.wait_for_selector("text=Menu chính")
        await walk.tap("Tự đánh giá", "1.1 Người đứng đầu")
        card = page.locator(".msg.bot", has_text="1.1 Người đứng đầu").last
        card_height, chat_height = await card.evaluate(
            "(m) => [m.offsetHeight, document.getElementById('messages').clientHeight]"
        )
        heights = {"first question card (1.1, with the campaign header)": card_height}
        # The first card too, header and all, fits the phone's chat: read without scrolling.
        assert card_height <= chat_height, f"the first card ({card_height} px) does not fit the chat ({chat_height} px)"
        await walk.shot(
            "focal-question-card",
            "Lan (focal point, Sở Nội vụ): the first question card, answers as buttons",
            "DTI 2026 · Sở Nội vụ",
            "Thủ trưởng đơn vị làm Trưởng ban",
        )

        walk.begin("14 · a typed number, Vietnamese thousands (Lan)")
        await walk.tap("Danh sách", "Danh sách chỉ số")
        await walk.tap("3.3", "3.3 Tỷ lệ máy tính")
        await walk.type("1.150/1.200", "Đã ghi 3.3")
        card = page.locator(".msg.bot", has_text="Câu trả lời hiện tại: 1.150/1.200").last
        heights["a typical answered card (3.3)"] = typical = await card.evaluate("(m) => m.offsetHeight")
        assert typical <= chat_height, f"a typical card ({typical} px) does not fit the phone's chat ({chat_height} px)"
        await walk.shot(
            "focal-typed-number-receipt",
            "Lan types “1.150/1.200”: the short receipt and the live card (1.150/1.200 máy, 95,8 %)",
            "✅ Đã ghi 3.3: 10/10 điểm",
            "1.150/1.200 máy (95,8 %)",
        )

        for name, role, words in (
            (LAN, "focal", "/tiep"),
            (TUAN, "leader", "Phê duyệt tự đánh giá"),
            (HA, "appraiser", "Hàng chờ thẩm định"),
            (SON, "coordinator", "Giai đoạn"),
            (BAO, "admin", "Quản trị"),
        ):
            walk.begin(f"14 · /help of the {role}")
            await walk.persona(name)
            await walk.type("/help", "Bạn có thể làm gì ở đây")
            await walk.shot(f"help-{role}", f"/help of the {role} ({name})", words, top="Bạn có thể làm gì ở đây")
        help_texts = await page.locator(".msg.bot", has_text="Bạn có thể làm gì ở đây").all_inner_texts()
        assert "/tiep" not in help_texts[-1]  # the admin is not told a focal point's command

        walk.begin("14 · a leader's charts (Tuấn)")
        await walk.persona(TUAN)
        await walk.tap("Menu", "Menu chính")
        await walk.tap("Biểu đồ", "Xếp hạng giá trị DTI")
        assert await page.locator(".msg.bot img").count() >= 2  # the points per index and the ranking
        await walk.shot(
            "leader-charts",
            "Tuấn (leader, Sở Nội vụ): 📊 Biểu đồ — the ranking chart with its caption",
            "Xếp hạng giá trị DTI",
            "Kết quả tạm tính",
        )

        walk.begin("14 · a leader's what-if (Tuấn)")
        await walk.tap("Nếu đạt tối đa", "Mất nhiều điểm nhất")
        await walk.tap("6.1", "Nếu 6.1 đạt tối đa")
        await walk.shot(
            "leader-what-if",
            "Tuấn: 🔮 Nếu đạt tối đa → 6.1: total, DTI value and rank if 6.1 earned its maximum",
            "Tổng điểm",
            "Hạng",
        )

        # ---- Issue 13: the campaign cycle -------------------------------------------------------
        walk.begin("13.1 · the unit's leader approves (Hải, Phường Cao Lãnh)")
        await walk.persona(HAI)
        await page.wait_for_selector("text=Menu chính")
        await walk.tap("Phê duyệt tự đánh giá", "Tổng điểm tự chấm")
        await walk.shot(
            "leader-approval-summary",
            "Hải (leader, Phường Cao Lãnh): the self-assessment summary to approve",
            "Phê duyệt kết quả tự đánh giá",
            "chờ lãnh đạo phê duyệt",
            top="Tổng điểm tự chấm",
        )
        await walk.tap("✅ Phê duyệt", "Đồng ý phê duyệt")
        await walk.tap("Đồng ý phê duyệt", "Đã phê duyệt")
        await walk.shot(
            "leader-approved",
            "Hải approves: the file goes to the appraisers, the focal point is told",
            "lãnh đạo đã phê duyệt",
        )

        walk.begin("13.2 · the chair moves the period to appraisal (Sơn)")
        await walk.persona(SON)
        await walk.tap("Menu", "Menu chính")
        await walk.tap("Giai đoạn", "Giai đoạn hiện tại")
        await walk.shot(
            "chair-phases",
            "Sơn (coordinator, council chair): 🗓 Giai đoạn — the phase, its dates, the next step",
            "đang tự đánh giá",
            "Chuyển sang thẩm định",
        )
        await walk.tap("Chuyển sang thẩm định", "Xác nhận")
        await walk.tap("Xác nhận", "đã chuyển sang giai đoạn thẩm định")
        await walk.shot(
            "chair-appraisal-opened",
            "Sơn confirms: the period is in appraisal, supplements until a date",
            "Đang thẩm định",
            "Hạn bổ sung hồ sơ",
            top="đã chuyển sang giai đoạn thẩm định",
        )

        walk.begin("13.3 · appraisal by domain, one unit together, a send-back (Hà)")
        await walk.persona(HA)
        await page.wait_for_selector("text=Menu chính")
        await walk.tap("Hàng chờ thẩm định", "Lĩnh vực của bạn")
        await walk.shot(
            "appraiser-queue",
            "Hà (appraiser of indices 1–3): her queue, by unit",
            "chỉ số 1, 2, 3",
            "Phường Cao Lãnh (10)",
        )
        await walk.tap("Phường Cao Lãnh (10)", "10 chỉ số thuộc lĩnh vực của bạn đang chờ")
        unit = await page.locator(".msg.bot", has_text="10 chỉ số thuộc lĩnh vực").last.inner_text()
        assert all(f"{n}." in unit for n in (1, 2, 3)) and "4.1" not in unit and "5.1" not in unit
        await walk.shot(
            "appraiser-unit-items",
            "Hà: Phường Cao Lãnh's ten items of her domain together, a batch accept for complete ones",
            "Chấp nhận 10 chỉ số đủ hồ sơ",
            top="10 chỉ số thuộc lĩnh vực",
        )
        await walk.tap("🔎 1.2", "1.2 Ban hành kế hoạch")
        await walk.tap("Đề nghị bổ sung", "Nhập nội dung đề nghị bổ sung")
        await walk.type(SEND_BACK, "Đã ghi nhận kết quả thẩm định")
        await walk.tap("Các chỉ số của đơn vị", "9 chỉ số thuộc lĩnh vực của bạn đang chờ")
        await walk.tap("Chấp nhận 9 chỉ số đủ hồ sơ", "theo điểm tự chấm?")
        await walk.tap("✅ Chấp nhận 9 chỉ số", "Đã chấp nhận 9 chỉ số")
        await walk.tap("Gửi kết quả cho đơn vị", "Đã gửi kết quả (10 chỉ số)")
        await walk.shot(
            "appraiser-results-sent",
            "Hà sent 1.2 back with a comment, accepted nine in a batch and sent the unit one message",
            "trong một tin nhắn",
        )

        walk.begin("13.4 · the second appraiser's queue (Yến)")
        await walk.persona(YEN)
        await page.wait_for_selector("text=Menu chính")
        await walk.tap("Hàng chờ thẩm định", "Lĩnh vực của bạn")
        await walk.tap("Thẩm định lần lượt", "❓")
        item = await page.locator(".msg.bot", has_text="❓").last.inner_text()
        assert any(f" · {n}." in item for n in (4, 5, 6)), item
        await walk.shot(
            "appraiser2-first-item",
            "Yến (appraiser of indices 4–6): one by one, only her indices",
            "Chấp nhận",
            "Bỏ qua",
        )

        walk.begin("13.5 · the unit's focal point gets one grouped notice")
        telegram_id, focal_name = generated_focal_point(tmp_path / "data" / "sandbox" / "dti.db", "P-CAOLANH")
        await page.click("#switch")
        # No persona button for a generated focal point: the same page shows their chat.
        await page.evaluate(
            "(p) => start(p)",
            {"key": "focal-caolanh", "telegram_id": telegram_id, "full_name": focal_name, "role": "đầu mối"},
        )
        await page.wait_for_selector("text=Kết quả thẩm định")
        await walk.shot(
            "focal-grouped-notice",
            f"{focal_name} (focal point, Phường Cao Lãnh): the appraisal round in one message",
            "Đạt (9)",
            SEND_BACK,
            "Mở chỉ số 1.2",
        )
        # One message for the round, not one per decision: what the client API says reached that person.
        events = await (await page.request.get(f"{url}sandbox/api/chats/{telegram_id}/events")).json()
        told = [e for e in events["events"] if "Kết quả thẩm định" in (e["message"].get("text") or "")]
        assert len(told) == 1, told
        await walk.tap("Mở chỉ số 1.2", "Đề nghị bổ sung của bộ phận thẩm định")
        await walk.shot(
            "focal-sent-back-item",
            "The button opens item 1.2 with the appraiser's comment and until when it can be supplemented",
            SEND_BACK,
            top="1.2 Ban hành kế hoạch",
        )

        walk.begin("13.6 · the chair follows the council and closes the appraisal (Sơn)")
        await walk.persona(SON)
        await walk.tap("Menu", "Menu chính")
        await walk.tap("Hội đồng thẩm định", "Theo thẩm định viên")
        await walk.shot(
            "chair-council-progress",
            "Sơn: 🏛 Hội đồng thẩm định — progress per appraiser and per unit",
            "Bùi Ngọc Yến (chỉ số 4, 5, 6)",
            "Phạm Thu Hà (chỉ số 1, 2, 3)",
            "Theo đơn vị",
        )
        await walk.tap("Kết thúc thẩm định", "chưa thẩm định")
        await walk.tap("🔒 Kết thúc thẩm định", "kết quả tạm thời")
        await walk.shot(
            "chair-provisional",
            "Sơn closes the appraisal: provisional results go to every unit",
            "Đã gửi kết quả cho",
            top="đã chuyển sang giai đoạn kết quả tạm thời",
        )

        walk.begin("13.7 · the leader's provisional results and an objection (Hải)")
        await walk.persona(HAI)
        await page.wait_for_selector("text=Kết quả tạm thời")
        await walk.shot(
            "leader-provisional-notice",
            "Hải: the provisional results — points, rank, until when to object",
            "Phường Cao Lãnh:",
            "xếp thứ",
            "kiến nghị",
        )
        await walk.tap("Kiến nghị kết quả", "Chọn chỉ số mà đơn vị có kiến nghị")
        await walk.tap("1.3 Tuyên truyền", "Nhập lý do kiến nghị")
        await walk.type(OBJECTION, "Gửi kiến nghị")
        await walk.tap("Gửi kiến nghị", "Đã gửi kiến nghị về chỉ số 1.3")
        await walk.shot(
            "leader-objection-sent",
            "Hải objects to 1.3 with a reason: sent to the council",
            "Đã gửi kiến nghị về chỉ số 1.3",
        )

        walk.begin("13.8 · the chair answers the objection (Sơn)")
        await walk.persona(SON)
        await walk.tap("Mở kiến nghị", "Kiến nghị số")  # from the notice of the new objection
        await walk.shot(
            "chair-objection",
            "Sơn: ⚖️ Xem xét kiến nghị — the objection, its reason, uphold or reject",
            "Phường Cao Lãnh",
            OBJECTION,
            "Không chấp nhận",
        )
        await walk.tap("Chấp nhận (điểm mới)", "Nhập điểm mới của chỉ số")
        await walk.type(UPHOLD, "Kiến nghị được chấp nhận")
        await walk.shot(
            "chair-objection-upheld",
            "Sơn upholds it with new points and a reason; the unit is told",
            "nay đạt 6/6 điểm",
        )

        walk.begin("13.9 · the final results are published (Sơn)")
        await walk.tap("Menu", "Menu chính")
        await walk.tap("Giai đoạn", "kết quả tạm thời")
        await walk.tap("Công bố kết quả chính thức", "Xác nhận")
        await walk.tap("Xác nhận", "đã chuyển sang giai đoạn kết quả chính thức")
        await walk.shot(
            "chair-final-published",
            "Sơn publishes the final results: the period is locked",
            "kỳ đánh giá đã khóa",
            top="đã chuyển sang giai đoạn kết quả chính thức",
        )
        await walk.persona(HAI)
        await page.wait_for_selector("text=Kết quả chính thức")
        await walk.shot(
            "leader-final-notice",
            "Hải: the council's answer (1.3 now 6/6) and the final results",
            "nay đạt 6/6 điểm",
            "Kết quả chính thức",
        )
        await browser.close()

    assert errors == []
    report = [{"flow": f.name, "taps": f.taps, "typed": f.typed} for f in walk.flows]
    (OUT / "taps.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    (OUT / "shots.json").write_text(
        json.dumps([{"file": f, "bytes": n, "shows": w} for f, n, w in walk.shots], ensure_ascii=False, indent=1)
    )
    print()
    for f in walk.flows:
        print(f"{f.taps:3d} taps {f.typed:2d} typed  {f.name}")
    print("taller than the phone's chat (scrolled to their top):", ", ".join(walk.too_tall) or "none")
    print(f"cards in a chat of {chat_height} px:", ", ".join(f"{k}: {v} px" for k, v in heights.items()))
    assert len(walk.shots) >= 25
