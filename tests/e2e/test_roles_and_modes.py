"""Several units per person, help per role, and the webhook mode."""

from __future__ import annotations

import socket

import aiohttp

from tests.e2e.harness import BotProcess, bot_env


async def test_a_person_in_two_units_picks_one_and_can_switch(bot, campaign, person):
    hoa = person(718001, "Lê Thị Hoa")
    await hoa.send(f"/start {await campaign.invite('SNV')}")
    await hoa.expect("đầu mối của Sở Nội vụ")
    await hoa.send(f"/start {await campaign.invite('STP', role='leader')}")
    await hoa.expect("lãnh đạo của Sở Tư pháp")
    assert "Bạn thuộc nhiều đơn vị" in hoa.last_text()
    await hoa.press("Đổi đơn vị")
    await hoa.expect("Chọn đơn vị bạn đang làm việc")
    await hoa.press("Sở Tư pháp")
    await hoa.expect("Đơn vị: Sở Tư pháp (lãnh đạo)")
    assert "Tự đánh giá" not in str(hoa.messages[max(hoa.messages)])  # a leader does not answer
    await hoa.press("Đổi đơn vị")
    await hoa.expect("Chọn đơn vị bạn đang làm việc")
    await hoa.press("Sở Nội vụ")
    await hoa.expect("Đơn vị: Sở Nội vụ (đầu mối)")
    await hoa.press("Tự đánh giá")
    await hoa.expect("<b>DTI 2026 · Sở Nội vụ</b>")  # the card of the unit chosen


async def test_help_explains_what_this_person_can_do(bot, campaign, person):
    lan = person(718010)
    await lan.send(f"/start {await campaign.invite('SNV')}")
    await lan.expect("Bạn đã được đăng ký")
    await lan.send("/help")
    await lan.expect("📝 <b>Tự đánh giá</b>")
    assert "/tiep" in lan.last_text() and "Điều phối</b>" not in lan.last_text()
    son = person(718011, "Võ Thanh Sơn")
    await son.send(f"/start {await campaign.invite(None, role='coordinator')}")
    await son.expect("điều phối viên của toàn bộ đợt đánh giá")
    await son.send("/help")
    await son.expect("📣 <b>Điều phối</b>")
    assert "Tự đánh giá</b>" not in son.last_text() and "/tiep" not in son.last_text()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_takes_updates_with_the_secret_and_serves_health(emulator, campaign, person, tmp_path):
    port = free_port()
    args = ("--webhook-url", f"http://127.0.0.1:{port}", "--host", "127.0.0.1", "--port", str(port))
    process = BotProcess(emulator.state, bot_env(campaign.data_dir, emulator.url), tmp_path / "bot.log", args)
    await process.start()
    try:
        assert emulator.state.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
        assert len(emulator.state.webhook["secret_token"]) >= 32
        lan = person(718020)
        await lan.send(f"/start {await campaign.invite('SNV')}")
        await lan.expect("Bạn đã được đăng ký làm đầu mối của Sở Nội vụ")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200 and (await response.json())["status"] == "ok"
            forged = {
                "update_id": 999,
                "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "/start"},
            }
            async with http.post(
                f"http://127.0.0.1:{port}/telegram", json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            ) as response:
                assert response.status == 401
    finally:
        await process.stop()
