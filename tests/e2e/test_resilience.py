"""The real bot process against the emulator: bad updates, bad answers of getUpdates, one person's
slow replies, a kill with updates in hand, a flood — the bot keeps serving everybody."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import func, select

from bot.sandbox.faults import MALFORMATIONS
from storage.models import AnswerHistory, ProcessedUpdate

HELP = "Bạn có thể làm gì ở đây"
ANSWERED_WITHIN = 1.0  # seconds: what the issue promises another person while one chat is slow


async def registered(person, campaign, user_id: int, unit: str = "SNV", name: str = "Nguyễn Thị Lan"):
    someone = person(user_id, name)
    await someone.send(f"/start {await campaign.invite(unit)}")
    await someone.expect("Bạn đã được đăng ký")
    return someone


async def taken(rule, before: int, timeout: float = 30) -> None:
    """Wait until the emulator has applied a fault rule (the bot is inside that request)."""
    deadline = time.monotonic() + timeout
    while rule.count >= before:
        assert time.monotonic() < deadline, "the bot never made the request the fault waits for"
        await asyncio.sleep(0.02)


async def confirmed(emulator, timeout: float = 30) -> None:
    """Wait until the bot has confirmed every update to the emulator (a getUpdates past them)."""
    deadline = time.monotonic() + timeout
    while emulator.state.updates:
        assert time.monotonic() < deadline, "the bot never confirmed the updates it received"
        await asyncio.sleep(0.05)


async def timed(coroutine) -> float:
    start = time.monotonic()
    await coroutine
    return time.monotonic() - start


async def is_recorded(db, update_id: int) -> bool:
    async with db.session() as session:
        return await session.get(ProcessedUpdate, update_id) is not None


@pytest.mark.parametrize("how", MALFORMATIONS)
async def test_a_malformed_update_waiting_at_start_is_skipped_and_never_comes_back_after_a_restart(
    bot, emulator, campaign, person, tmp_path, how
):
    await bot.stop()  # the bad update is waiting when the bot starts, first of its batch
    stranger = person(740_001, "Người lạ")
    bad = await stranger.send("xin chào bot")
    emulator.faults.malform(bad["update_id"], how)
    phuc_invite = await campaign.invite("STP")
    phuc = person(740_002, "Huỳnh Văn Phúc")
    await phuc.send(f"/start {phuc_invite}")
    await bot.start()
    await phuc.expect("Bạn đã được đăng ký")
    await confirmed(emulator)
    await bot.kill()  # a restart receives nothing bad again, and serves
    await bot.start()
    await phuc.send("/help")
    await phuc.expect(HELP)
    assert bot.proc.returncode is None
    log = (tmp_path / "bot.log").read_text(errors="replace")
    if how == "update_id_string":  # digits are read as the id they are: an ordinary update
        await stranger.expect("Chỉ người được mời mới sử dụng được")
    else:
        assert [e for e in await stranger.quiet(0.5) if e["message"].get("from", {}).get("is_bot")] == []
        assert log.count("skipped") == 1, log[-3000:]  # once: confirmed, so never delivered again
    if how != "update_id_word":
        assert await is_recorded(campaign.db, bad["update_id"])
    assert "xin chào bot" not in log and "12345" not in log and "yesterday" not in log  # never the content
    await confirmed(emulator)


async def test_answers_of_get_updates_that_are_not_json_are_waited_out_at_start_and_while_running(
    bot, emulator, campaign, person, tmp_path
):
    await bot.stop()
    outage = [{"method": "getUpdates", "kind": kind, "count": 1} for kind in ("html502", "html504", "empty")]
    emulator.faults.configure(outage, None)
    lan = person(740_010)
    await lan.send(f"/start {await campaign.invite('SNV')}")
    await bot.start(timeout=60)
    await lan.expect("Bạn đã được đăng ký", timeout=30)
    assert all(rule.count == 0 for rule in emulator.faults.rules)
    emulator.faults.configure([{"method": "getUpdates", "kind": "html502", "count": 2}], None)
    await lan.send("/help")
    await lan.expect(HELP, timeout=30)
    # The long poll in flight when the faults were set may bring /help without meeting them; the
    # polls after it meet both, and the bot waits them out.
    for _ in range(300):
        if emulator.faults.rules[0].count == 0:
            break
        await asyncio.sleep(0.1)
    assert emulator.faults.rules[0].count == 0 and bot.proc.returncode is None
    await lan.send("/help")
    await lan.expect(HELP, timeout=30)
    log = (tmp_path / "bot.log").read_text(errors="replace")
    assert log.count("getUpdates failed (ClientDecodeError)") == 5
    assert "Traceback" not in log


async def test_while_one_chats_replies_take_30_s_another_persons_start_is_answered_within_a_second(
    bot, emulator, campaign, person
):
    lan = await registered(person, campaign, 740_020)
    slow = {"method": "sendMessage", "kind": "delay", "delay": 30, "count": 10, "chat_id": 740_020}
    emulator.faults.configure([slow], None)
    await lan.send("/help")  # read-only: its record comes only after its (slow) reply
    await taken(emulator.faults.rules[0], 10)
    phuc = person(740_021, "Huỳnh Văn Phúc")
    invite = await campaign.invite("STP")
    took = await timed(_start_and_wait(phuc, invite))
    assert took < ANSWERED_WITHIN, f"another person waited {took:.2f} s"
    took = await timed(_help_and_wait(phuc))
    assert took < ANSWERED_WITHIN, f"another person waited {took:.2f} s"
    emulator.faults.clear()  # the slow reply arrives now
    await lan.expect(HELP)


async def _start_and_wait(someone, invite: str) -> None:
    await someone.send(f"/start {invite}")
    await someone.expect("Bạn đã được đăng ký")


async def _help_and_wait(someone) -> None:
    await someone.send("/help")
    await someone.expect(HELP)


async def test_a_kill_with_updates_in_hand_redoes_only_the_unfinished_and_resends_nothing(
    bot, emulator, campaign, person
):
    lan = await registered(person, campaign, 740_030)
    phuc = await registered(person, campaign, 740_031, "STP", "Huỳnh Văn Phúc")
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    emulator.faults.configure(
        [{"method": "editMessageText", "kind": "delay", "delay": 30, "count": 5, "chat_id": 740_030}], None
    )
    lan_chat = emulator.state.chats[740_030]
    before = lan_chat.events[-1].seq
    await lan.press("Thủ trưởng")  # the answer is written, then its reply (an edit) hangs
    await taken(emulator.faults.rules[0], 5)
    await lan.send("/help")  # waits behind Lan's answer: unfinished when the bot dies
    for _ in range(2):
        await _help_and_wait(phuc)  # finished before the kill
    await asyncio.sleep(0.5)  # past the poller's hold: the offset has moved on (the spool has Lan's)
    await bot.kill()
    emulator.faults.clear()  # the hung edit completes now (the bot that asked is gone)
    await bot.start()
    await lan.expect(HELP)  # the unfinished update is done after the restart
    shown = await lan.quiet(1.5)
    async with campaign.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(AnswerHistory))).scalar_one() == 1
    # (an event holds the message as it is now: edits change it in place)
    recorded_edits = [e for e in lan_chat.events if e.seq > before and e.kind == "edit"]
    assert len(recorded_edits) == 1  # the answer's reply is not sent again by a redelivery
    assert not [e for e in shown if HELP in (e["message"].get("text") or "")]  # and /help only once
    phuc_chat = emulator.state.chats[740_031]
    helps = [e for e in phuc_chat.events if e.kind == "message" and HELP in e.message.get("text", "")]
    assert len(helps) == 2  # what was finished before the kill is not done again


async def test_a_flood_from_one_person_is_paced_with_one_notice_and_nothing_lost_while_others_are_served(
    bot, emulator, campaign, person
):
    lan = await registered(person, campaign, 740_040)
    for n in range(90):  # far beyond what anyone types: 90 at once
        await lan.send(f"/help {n}")
    phuc = await registered(person, campaign, 740_041, "STP", "Huỳnh Văn Phúc")  # served meanwhile
    lan_chat = emulator.state.chats[740_040]

    def helps() -> int:
        return sum(1 for e in lan_chat.events if e.kind == "message" and HELP in e.message.get("text", ""))

    assert helps() < 90  # Phúc was answered while Lan's flood was still being worked through
    await _help_and_wait(phuc)
    deadline = time.monotonic() + 90
    while helps() < 90:
        assert time.monotonic() < deadline, f"only {helps()} of 90 answered"
        await asyncio.sleep(0.2)
    notices = [e for e in lan_chat.events if e.kind == "message" and "quá nhanh" in e.message.get("text", "")]
    assert len(notices) == 1


# -- an export whose upload is slow --------------------------------------------------------------------------
ADMIN, FOCAL = 700008, 700001


async def test_while_an_export_uploads_slowly_other_people_are_served(demo_bot, emulator, person):
    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    slow = {"method": "sendDocument", "kind": "delay", "delay": 30, "count": 10, "chat_id": ADMIN}
    emulator.faults.configure([slow], None)
    await admin.press("Xuất dữ liệu")
    await taken(emulator.faults.rules[0], 10, timeout=90)  # the export is built and its upload hangs
    focal = person(FOCAL)
    took = await timed(_help_and_wait(focal))
    assert took < ANSWERED_WITHIN, f"another person waited {took:.2f} s behind the export"
    emulator.faults.clear()
    await admin.expect("Đã xuất", timeout=60)
