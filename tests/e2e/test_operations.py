"""Operating the bot: a second poller on the same token, and a graceful stop."""

from __future__ import annotations

import asyncio
import signal

from sqlalchemy import func, select

from storage.models import AnswerHistory
from tests.e2e.harness import BotProcess, bot_env


async def test_a_second_poller_on_the_same_token_is_reported_clearly_and_does_not_crash_loop(
    bot, emulator, campaign, tmp_path, person
):
    second = BotProcess(emulator.state, bot_env(campaign.data_dir, emulator.url), tmp_path / "second.log")
    await second.start()
    try:
        await asyncio.sleep(2.5)
        logs = (tmp_path / "bot.log").read_text() + (tmp_path / "second.log").read_text()
        assert "409 Conflict" in logs and "only one instance may run" in logs
        assert second.proc.returncode is None and bot.proc.returncode is None  # both alive, neither crash-loops
    finally:
        await second.stop()
    lan = person(731000)
    await lan.send(f"/start {await campaign.invite('SNV')}")
    await lan.expect("Bạn đã được đăng ký", timeout=40)  # the remaining poller still serves


async def test_sigterm_finishes_the_update_in_hand_before_stopping(bot, emulator, campaign, person):
    lan = person(731001)
    await lan.send(f"/start {await campaign.invite('SNV')}")
    await lan.expect("Bạn đã được đăng ký")
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    emulator.faults.configure([{"method": "editMessageText", "kind": "delay", "delay": 1.5, "count": 1}], None)
    await lan.press("Thủ trưởng")
    await asyncio.sleep(0.5)  # the answer is being handled (its reply is slow)
    bot.proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(bot.proc.wait(), 20)
    assert bot.proc.returncode == 0
    async with campaign.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(AnswerHistory))).scalar_one() == 1
    await lan.expect("Đã ghi 1.1: 8/8 điểm")  # the reply went out before the process ended
