"""The chat export reaches the administrator once, even when the bot is killed right after uploading
it (before its handler returns) and the button press is then delivered again."""

from __future__ import annotations

import asyncio

ADMIN = 719_500


async def test_an_export_killed_after_its_upload_is_not_sent_again_when_the_press_comes_again(
    bot, emulator, campaign, person
):
    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send(f"/start {await campaign.invite(None, role='admin')}")
    await admin.expect("Bạn đã được đăng ký")
    await admin.send("/menu")
    await admin.expect("Menu chính")

    def documents() -> list[str]:
        chat = emulator.state.chats[ADMIN]
        return [m["document"]["file_name"] for m in chat.messages.values() if m.get("document")]

    pushed: list[dict] = []
    push = emulator.state.push_update

    async def keep(content, update_id=None):
        update = await push(content, update_id)
        pushed.append(update)
        return update

    emulator.state.push_update = keep
    # The closing "📦 Exported…" message hangs, so the kill lands after both files went out and
    # before the handler returns.
    emulator.faults.configure([{"method": "sendMessage", "kind": "delay", "delay": 30, "count": 1}], None)
    await admin.press("Xuất dữ liệu")
    for _ in range(600):
        if len(documents()) == 2:
            break
        await asyncio.sleep(0.1)
    assert sorted(n.rsplit(".", 1)[-1] for n in documents()) == ["xlsx", "zip"]
    await bot.kill()
    emulator.faults.clear()

    await bot.start()
    # Telegram delivers the press again (its confirmation was lost with the process).
    [press] = [u for u in pushed if "callback_query" in u]
    async with admin.http.post(f"{admin.base}/sandbox/api/updates", json={**press, "redeliver": True}) as response:
        response.raise_for_status()
    ignored = f"update {press['update_id']} was already processed; ignored"
    for _ in range(100):
        if ignored in bot.log.read_text(errors="replace"):
            break
        await asyncio.sleep(0.1)
    assert ignored in bot.log.read_text(errors="replace")
    await admin.quiet(1.5)
    assert len(documents()) == 2
