"""Reminders and broadcasts through the emulator: limits, faults, kills — nothing lost, nothing doubled
except what was in flight."""

from __future__ import annotations

import asyncio
import collections
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import create_bot
from bot.campaign_calendar import working_day_on_or_before
from bot.clock import Clock
from bot.outbox_sender import OutboxSender
from bot.sandbox.server import SANDBOX_TOKEN
from bot.scheduler import Jobs
from bot.services.access import SYSTEM
from bot.services.admin.invites import create_invites, redeem_invite
from bot.services.campaign.outbox import NewMessage, enqueue, pending_count
from storage.models import Outbox, Period, Person
from storage.types import utcnow
from tests.e2e.harness import BotProcess, bot_env


def delivered(emulator, method="sendMessage") -> collections.Counter:
    return collections.Counter(chat for _t, chat, m in emulator.state.sent_log if m == method)


async def drain_all(sender: OutboxSender, db, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while await pending_count(db) > 0:
        assert time.monotonic() < deadline, "the outbox did not empty"
        if not await sender.drain(2):
            await asyncio.sleep(0.2)


async def test_a_429_storm_and_500s_are_survived_with_nothing_lost(emulator, campaign):
    await enqueue(
        campaign.db,
        [NewMessage(f"t:{n}", 500_000 + n, {"text": f"Tin số {n}", "rows": []}) for n in range(150)],
        now=utcnow(),
    )
    emulator.faults.configure(
        [
            {"method": "sendMessage", "kind": "429", "count": 4, "retry_after": 1},
            {"method": "sendMessage", "kind": "500", "count": 8},
            {"method": "sendMessage", "kind": "network", "count": 2},
        ],
        None,
    )
    bot = create_bot(SANDBOX_TOKEN, emulator.url, retry=False)
    try:
        await drain_all(OutboxSender(bot, campaign.db, rate=300), campaign.db)
    finally:
        await bot.session.close()
    counts = delivered(emulator)
    assert set(counts) == {500_000 + n for n in range(150)} and set(counts.values()) == {1}
    assert emulator.state.stats["429"] == 4 and emulator.state.stats["500"] == 8
    async with campaign.db.session() as session:
        states = dict((await session.execute(select(Outbox.state, func.count()).group_by(Outbox.state))).all())
    assert states == {"sent": 150}


async def test_a_person_who_blocked_the_bot_is_marked_unreachable_and_coordinators_are_told(emulator, campaign, http):
    db = campaign.db
    [focal] = await create_invites(db, SYSTEM, "focal_point", "SNV", now=utcnow())
    lan = await redeem_invite(db, focal.code, telegram_id=510_001, full_name="Nguyễn Thị Lan", now=utcnow())
    [coordinator] = await create_invites(db, SYSTEM, "coordinator", None, now=utcnow())
    await redeem_invite(db, coordinator.code, telegram_id=510_002, full_name="Võ Thanh Sơn", now=utcnow())
    async with http.post(f"{emulator.url}/sandbox/api/chats/510001/block", json={"blocked": True}) as response:
        response.raise_for_status()
    await enqueue(
        db, [NewMessage("r:1", 510_001, {"text": "Nhắc hạn", "rows": []}, lan.person_id, "reminder")], now=utcnow()
    )
    bot = create_bot(SANDBOX_TOKEN, emulator.url, retry=False)
    try:
        await drain_all(OutboxSender(bot, db, rate=50), db)
    finally:
        await bot.session.close()
    async with db.session() as session:
        assert (await session.get(Person, lan.person_id)).reachable is False
        assert (await session.execute(select(Outbox.state).where(Outbox.dedupe_key == "r:1"))).scalar_one() == "blocked"
    coordinator_chat = emulator.state.chats[510_002]
    assert any(
        "Không gửi được tin nhắn cho: Nguyễn Thị Lan" in m.get("text", "") for m in coordinator_chat.messages.values()
    )


async def test_a_broadcast_killed_mid_way_reaches_everyone_with_duplicates_only_for_messages_in_flight(
    emulator, campaign, tmp_path
):
    db = campaign.db
    total = 5000
    await enqueue(
        db,
        [
            NewMessage(f"bc:kill:{n}", 600_000 + n, {"text": f"Thông báo {n}", "rows": []}, batch="bc:kill")
            for n in range(total)
        ],
        now=utcnow(),
    )
    env = bot_env(
        campaign.data_dir, emulator.url, DTI_OUTBOX_RATE="400", DTI_OUTBOX_STALE_SECONDS="3", DTI_LOG_LEVEL="WARNING"
    )
    bot = BotProcess(emulator.state, env, tmp_path / "bot.log")
    await bot.start()
    deadline = time.monotonic() + 120
    while sum(delivered(emulator).values()) < 1500:
        assert time.monotonic() < deadline, "the broadcast did not start"
        await asyncio.sleep(0.05)
    await bot.kill()
    async with db.session() as session:
        in_flight = (
            await session.execute(select(func.count()).select_from(Outbox).where(Outbox.state == "sending"))
        ).scalar_one()
    sent_before_restart = sum(delivered(emulator).values())
    assert sent_before_restart < total
    await bot.start()
    try:
        while await pending_count(db) > 0:
            assert time.monotonic() < deadline + 120, "the broadcast did not finish after the restart"
            await asyncio.sleep(0.2)
    finally:
        await bot.stop()
    counts = delivered(emulator)
    assert set(counts) >= {600_000 + n for n in range(total)}  # everybody, nothing lost
    duplicates = sum(c - 1 for c in counts.values())
    assert duplicates <= in_flight, (duplicates, in_flight)
    print(f"kill after {sent_before_restart} sent: {in_flight} in flight, {duplicates} delivered twice")


async def test_a_coordinator_broadcasts_from_the_chat_and_watches_the_delivery_report(bot, campaign, person):
    for n in range(3):
        [invite] = await create_invites(campaign.db, SYSTEM, "focal_point", ["SNV", "STP", "SYT"][n], now=utcnow())
        await redeem_invite(campaign.db, invite.code, telegram_id=520_000 + n, full_name=f"Đầu mối {n}", now=utcnow())
    son = person(520_100, "Võ Thanh Sơn")
    await son.send(f"/start {await campaign.invite(None, role='coordinator')}")
    await son.expect("điều phối viên")
    await son.press("Gửi thông báo")
    await son.expect("Nhập nội dung thông báo")
    await son.send("Đề nghị các đơn vị hoàn thành tự đánh giá <trước> thứ Sáu.")
    await son.expect("Gửi cho ai?")
    await son.press("tất cả đầu mối")
    await son.expect("Gửi đến: tất cả đầu mối — 3 người thuộc 3 đơn vị.")
    await son.press("Gửi ngay")
    await son.expect("đã xếp hàng gửi cho 3 người")
    report = await son.expect("Đã hoàn tất", timeout=30)  # the report message, edited as delivery goes
    assert "Đã gửi 3/3 · lỗi 0 · đã chặn bot 0 · đang chờ 0" in report["text"]
    focal = person(520_000)
    await focal.expect("Thông báo của điều phối viên")
    assert "&lt;trước&gt;" in focal.last_text()  # the coordinator's text is shown as typed, never as markup


async def test_a_reminder_reaches_a_late_unit_and_its_button_opens_the_assessment(bot, emulator, campaign, person):
    lan = person(530_000)
    await lan.send(f"/start {await campaign.invite('SNV')}")
    await lan.expect("Bạn đã được đăng ký")
    clock = Clock()
    vn_now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    async with campaign.db.session() as session:
        deadline = (await session.get(Period, campaign.period_id)).deadline
    # The week-before reminder is due at 9:00 on the day a week before the deadline, or on the working
    # day before it when that day is a weekend or a public holiday.
    reminder_day = working_day_on_or_before(deadline - timedelta(days=7))
    at_9am = datetime.combine(reminder_day, datetime.min.time(), ZoneInfo("Asia/Ho_Chi_Minh")).replace(hour=9)
    clock.offset = at_9am.astimezone(UTC) - datetime.now(UTC)
    sender_bot = create_bot(SANDBOX_TOKEN, emulator.url, retry=False)
    jobs = Jobs(campaign.db, None, OutboxSender(sender_bot, campaign.db, clock=clock), clock)
    try:
        assert await jobs.plan_reminders() == 1
        await jobs.drain_outbox()
    finally:
        await sender_bot.session.close()
    await lan.expect("Đơn vị Sở Nội vụ còn 20/20 chỉ số chưa trả lời")
    assert vn_now  # the reminder arrived whatever the real time of day
    await lan.press("Tiếp tục tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
