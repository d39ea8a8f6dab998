"""Coordinators at a glance, through the emulator on the demo province: progress with totals and a
"🔔" per late unit that reaches the unit's focal points, whose "▶️ Continue" opens the first missing
item; a broadcast scheduled for tomorrow and cancelled never arrives (one not cancelled does)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from html import escape

from sqlalchemy import func, select

from bot.app import create_bot
from bot.campaign_calendar import TIMEZONE, local_date
from bot.clock import Clock
from bot.outbox_sender import OutboxSender
from bot.sandbox.server import SANDBOX_TOKEN
from bot.services.admin.frameworks import framework_of
from storage.models import Answer, FrameworkVersion, Outbox, Period, Unit
from storage.types import utcnow

FOCAL, SECOND_FOCAL, LEADER, COORDINATOR = 700001, 700002, 700004, 700007
LEADER_COMMUNE, LEADER_APPROVER = 700005, 700010


def all_buttons(person) -> list[tuple[int, str, str]]:
    """(message id, text, data) of every button on the bot's live messages, newest message first."""
    found = []
    for message in sorted(person.messages.values(), key=lambda m: -m["message_id"]):
        if message.get("deleted") or not message.get("from", {}).get("is_bot"):
            continue
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            found += [(message["message_id"], b["text"], b.get("callback_data", "")) for b in row]
    return found


async def press_exact(person, text: str) -> None:
    message_id, data = next((m, d) for m, t, d in all_buttons(person) if t == text)
    await person.press_data(message_id, data)


async def wait_for(person, condition, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not shown; last: {person.last_text()[:300]}"
        await person.quiet(0.3)


async def first_missing_and_a_later_answered_item(db) -> tuple[str, str, str, str, int]:
    """Sở Nội vụ's first unanswered item (code, name), and an answered item after it (code, name) with
    its page of the list."""
    async with db.session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalar_one()
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
        unit = (await session.execute(select(Unit).where(Unit.code == "SNV"))).scalar_one()
        answered = set(
            (
                await session.execute(
                    select(Answer.sub_index_code).where(
                        Answer.period_id == period.id, Answer.unit_id == unit.id, Answer.raw.is_not(None)
                    )
                )
            ).scalars()
        )
    items = [s for s in framework.sub_indices if s.method.kind != "external" and s.applies_to(unit.attributes)]
    first = next(n for n, s in enumerate(items) if s.code not in answered)
    later = next(n for n, s in enumerate(items) if n > first and s.code in answered)
    return items[first].code, items[first].name, items[later].code, items[later].name, later // 12  # 12 a page


async def test_progress_shows_totals_and_a_button_per_late_unit_that_reminds_it_and_continue_opens_the_first_gap(
    demo_bot, person
):
    missing_code, missing_name, later_code, later_name, later_page = await first_missing_and_a_later_answered_item(
        demo_bot
    )
    # Lan last worked on an answered item further on: the menu would bring her back there.
    lan = person(FOCAL, "Nguyễn Thị Lan")
    await lan.send("/menu")
    await lan.expect("Menu chính")
    await lan.press("Danh sách chỉ số")
    await lan.expect("Danh sách chỉ số</b>")
    for _page in range(later_page):
        await lan.press("Trang sau")
        await wait_for(lan, lambda: any(t.endswith(f" {later_code}") for _m, t, _d in all_buttons(lan)))
    await lan.quiet(0.5)
    message_id, data = next((m, d) for m, t, d in all_buttons(lan) if t.endswith(f" {later_code}"))
    await lan.press_data(message_id, data)
    await lan.expect(f"{later_code} {escape(later_name)}</b>")

    son = person(COORDINATOR, "Võ Thanh Sơn")
    await son.send("/menu")
    await son.expect("Menu chính")
    await son.press("Tiến độ")
    screen = await son.expect("đơn vị đã nộp")
    assert "/50 đơn vị đã nộp · " in screen["text"] and "Hạn chót " in screen["text"]
    assert "Khối sở, ban, ngành: " in screen["text"] and "Khối xã, phường: " in screen["text"]
    assert "so-nganh" not in screen["text"]
    late_lines = [line for line in screen["text"].splitlines() if line[:1].isdigit() and ". " in line[:4]]
    reminders = [t for _m, t, _d in all_buttons(son) if t.startswith("🔔 Nhắc ")]
    assert len(reminders) == len(late_lines) == 8  # one button per late unit listed on the page
    for line, label in zip(late_lines, reminders, strict=True):
        assert label[len("🔔 Nhắc ") :] in line
    pages = 1
    while not any(t == "🔔 Nhắc Sở Nội vụ" for _m, t, _d in all_buttons(son)):
        pages += 1
        assert pages < 10, "Sở Nội vụ is not among the units not submitted"
        await son.press("Trang sau")
        await son.expect(f"(trang {pages}/")
    await press_exact(son, "🔔 Nhắc Sở Nội vụ")
    await son.expect("🔔 Đã gửi nhắc Sở Nội vụ (2 đầu mối).")
    await son.expect_button("✅ Đã nhắc hôm nay: Sở Nội vụ")
    await press_exact(son, "✅ Đã nhắc hôm nay: Sở Nội vụ")
    await son.expect("Hôm nay đã nhắc đơn vị này (Sở Nội vụ)")

    phuc = person(SECOND_FOCAL, "Huỳnh Văn Phúc")
    await phuc.expect("Điều phối viên nhắc", timeout=20)
    reminder = await lan.expect("Điều phối viên nhắc", timeout=20)
    assert "Sở Nội vụ còn" in reminder["text"]
    await lan.press("Tiếp tục tự đánh giá")
    await lan.expect(f"{missing_code} {escape(missing_name)}</b>")  # not where she stopped, not the summary
    async with demo_bot.session() as session:
        nudges = (
            await session.execute(select(func.count()).select_from(Outbox).where(Outbox.batch.like("nudge:%")))
        ).scalar_one()
    assert nudges == 2  # pressed twice, queued once per focal point


async def test_a_scheduled_broadcast_cancelled_never_arrives_and_one_left_scheduled_does(demo_bot, person, emulator):
    son = person(COORDINATOR, "Võ Thanh Sơn")
    tomorrow = local_date(utcnow()) + timedelta(days=1)
    await son.send("/menu")
    await son.expect("Menu chính")
    await son.press("Gửi thông báo")
    await son.expect("Nhập nội dung thông báo")
    await son.send("Cuộc họp giao ban sáng mai được hoãn.")
    await son.expect("Gửi cho ai?")
    await son.press("lãnh đạo đơn vị")
    await son.expect("Gửi đến: lãnh đạo đơn vị — 3 người thuộc 3 đơn vị.")
    await son.press("8 giờ sáng mai")
    await son.expect(f"tới lãnh đạo đơn vị (3 người) sẽ gửi vào 08:00 {tomorrow:%d/%m/%Y}")
    await son.press("Hủy lịch gửi")
    await son.expect("Đã hủy lịch gửi thông báo #")
    await son.expect("Đã hủy trước giờ gửi: không tin nào được gửi.", timeout=20)  # the delivery report

    await son.press("Menu chính")
    await son.expect("Menu chính")
    await son.press("Gửi thông báo")
    await son.expect("Nhập nội dung thông báo")
    await son.send("Đề nghị lãnh đạo duyệt kết quả tự đánh giá.")
    await son.expect("Gửi cho ai?")
    await son.press("lãnh đạo đơn vị")
    await son.expect("Gửi đến: lãnh đạo đơn vị")
    await son.press("Chọn giờ khác")
    await son.expect("Nhập ngày và giờ gửi (giờ Việt Nam)")
    await son.send(f"9h00 ngày {tomorrow:%d/%m/%Y}")
    await son.expect(f"sẽ gửi vào 09:00 {tomorrow:%d/%m/%Y}")

    # Tomorrow at 09:01, a sender on the campaign's clock: only the broadcast left scheduled goes.
    clock = Clock()
    at = datetime.combine(tomorrow, datetime.min.time(), TIMEZONE).replace(hour=9, minute=1)
    clock.offset = at.astimezone(UTC) - utcnow()
    sender_bot = create_bot(SANDBOX_TOKEN, emulator.url, retry=False)
    sender = OutboxSender(sender_bot, demo_bot, clock=clock)
    try:
        deadline = time.monotonic() + 30
        while await _due(demo_bot, clock.now()):
            assert time.monotonic() < deadline, "the scheduled broadcast was not sent"
            if not await sender.drain(2):
                await asyncio.sleep(0.2)
    finally:
        await sender_bot.session.close()
    for leader_id in (LEADER, LEADER_COMMUNE, LEADER_APPROVER):
        leader = person(leader_id)
        await leader.expect("Đề nghị lãnh đạo duyệt kết quả tự đánh giá.", timeout=20)
        texts = [m.get("text", "") for m in emulator.state.chats[leader_id].messages.values()]
        assert not any("giao ban sáng mai được hoãn" in t for t in texts)
    # Once it went, cancelling it is refused with a sentence.
    await son.press("Hủy lịch gửi")
    await son.expect("đã bắt đầu được gửi đi, không thể hủy nữa")


async def _due(db, now: datetime) -> int:
    async with db.session() as session:
        return (
            await session.execute(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.state.in_(("pending", "sending")), Outbox.not_before <= now)
            )
        ).scalar_one()
