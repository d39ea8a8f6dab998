"""Bad input, forged buttons, replays, concurrency and crashes: each gets its answer and loses nothing."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.render.actions import Action
from bot.services.demo.files import pdf
from storage.models import Answer, AnswerHistory, Evidence, Unit


async def joined(person, campaign, user_id, unit="SNV", name="Nguyễn Thị Lan"):
    someone = person(user_id, name)
    await someone.send(f"/start {await campaign.invite(unit)}")
    await someone.expect("Bạn đã được đăng ký")
    return someone


async def rows(db, model, *where):
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_a_stranger_gets_a_polite_explanation_and_nothing_else(bot, campaign, person):
    stranger = person(719999, "Người lạ")
    await stranger.send("xin chào")
    await stranger.expect("Chỉ người được mời mới sử dụng được")
    await stranger.send("/start")
    await stranger.expect("hãy đề nghị điều phối viên gửi đường dẫn mời")
    await stranger.send("/start MA-KHONG-TON-TAI")
    await stranger.expect("Mã mời không hợp lệ")
    assert "Menu chính" not in stranger.last_text()


async def test_a_used_invitation_gets_its_own_answer(bot, campaign, person):
    code = await campaign.invite("SNV")
    first, second = person(719001), person(719002)
    await first.send(f"/start {code}")
    await first.expect("Bạn đã được đăng ký làm đầu mối của Sở Nội vụ")
    await second.send(f"/start {code}")
    await second.expect("Lời mời này đã được sử dụng")


async def test_button_data_forged_to_reach_another_units_item_is_refused_without_effect(bot, campaign, person):
    lan = await joined(person, campaign, 719010)
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    async with campaign.db.session() as session:
        other = (await session.execute(select(Unit).where(Unit.code == "STP"))).scalar_one()
    message_id, _data = lan.button("Thủ trưởng")
    forged = Action("ans", other.id, campaign.period_id, "1.1", "o:head").pack()
    await lan.press_data(message_id, forged)
    await lan.expect("Bạn không có quyền thực hiện thao tác này.")
    await lan.press_data(message_id, "ans|x|y|../../etc|;drop")  # not even the right shape
    await lan.expect("Nút này không còn hiệu lực")
    await lan.press_data(message_id, Action("ans", 0, campaign.period_id, "9.9", "y").pack())
    await lan.expect("Bạn không có quyền")
    assert await rows(campaign.db, Answer, Answer.unit_id == other.id) == 0
    assert await rows(campaign.db, Answer) == 0


async def test_an_oversized_or_wrong_file_gets_a_message_that_says_what_to_do(bot, campaign, person):
    lan = await joined(person, campaign, 719020)
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    await lan.upload(pdf("x"), "ke-hoach.pdf", declared_size=25 * 1024 * 1024)
    await lan.expect("Tệp lớn hơn 20 MB nên bot không nhận được. Hãy nén hoặc chia nhỏ tệp")
    await lan.upload(b"MZ\x90\x00 program", "setup.exe", mime="application/x-msdownload")
    await lan.expect("Không nhận loại tệp này (setup.exe)")
    await lan.upload(b"MZ\x90\x00 program", "bao-cao.pdf")
    await lan.expect("Nội dung tệp không khớp với tên tệp (bao-cao.pdf)")
    await lan.upload(pdf("same"), "../../etc/passwd.pdf")
    await lan.expect("Đã nhận tài liệu kiểm chứng")
    async with campaign.db.session() as session:
        names = [n for (n,) in await session.execute(select(Evidence.file_name))]
    assert names[0] == "passwd.pdf"  # a display name only; the file lives under its hash


async def test_the_same_file_sent_twice_to_one_item_is_kept_once(bot, campaign, person):
    lan = await joined(person, campaign, 719025)
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    message = (await lan.upload(pdf("one"), "qd.pdf"))["message"]
    await lan.expect("Đã nhận tài liệu kiểm chứng")
    again = {"message": {**message, "message_id": message["message_id"] + 1000}, "redeliver": False}
    async with lan.http.post(f"{lan.base}/sandbox/api/updates", json=again) as response:
        response.raise_for_status()
    await lan.expect("Tệp này đã có ở chỉ số này; chỉ giữ một bản.")
    assert await rows(campaign.db, Evidence) == 1


async def test_a_replayed_update_is_processed_once(bot, campaign, person):
    lan = await joined(person, campaign, 719030)
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    await lan.press("Danh sách")
    await lan.expect("Danh sách chỉ số")
    await lan.press("⬜ 1.3")
    await lan.expect("1.3 Tuyên truyền")
    sent = await lan.send("9")
    await lan.expect("✅ Đã ghi 1.3: 4/6 điểm")
    replay = {"update_id": sent["update_id"], "message": sent["message"], "redeliver": True}
    async with lan.http.post(f"{lan.base}/sandbox/api/updates", json=replay) as response:
        response.raise_for_status()
    shown = await lan.quiet(2.0)
    assert [e for e in shown if e["kind"] == "message"] == []
    assert await rows(campaign.db, AnswerHistory) == 1


async def test_two_focal_points_of_one_unit_answer_at_once_without_corrupting_each_other(bot, campaign, person):
    lan = await joined(person, campaign, 719040, name="Nguyễn Thị Lan")
    phuc = await joined(person, campaign, 719041, name="Huỳnh Văn Phúc")
    for someone in (lan, phuc):
        await someone.press("Tự đánh giá")
        await someone.expect("1.1 Người đứng đầu")
    await asyncio.gather(lan.press("Thủ trưởng"), phuc.press("Phó Thủ trưởng"))
    await lan.expect("Đã ghi 1.1")
    await phuc.expect("Đã ghi 1.1")
    async with campaign.db.session() as session:
        answer = (await session.execute(select(Answer))).scalar_one()
        history = (await session.execute(select(AnswerHistory).order_by(AnswerHistory.id))).scalars().all()
    assert answer.revision == 2 and [h.revision for h in history] == [1, 2]
    assert history[1].old["raw"] == history[0].new["raw"]  # the second write saw the first
    final = "Thủ trưởng đơn vị làm Trưởng ban" if answer.raw == {"option": "head"} else "Phó Thủ trưởng làm Trưởng ban"
    await lan.press("Sửa câu trả lời")
    await lan.expect(f"Câu trả lời hiện tại: {final}")  # each sees the current value when opening the item


async def test_an_unexpected_error_gets_an_apology_with_an_id_and_the_answer_is_kept(bot, campaign, person, emulator):
    lan = await joined(person, campaign, 719050)
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    emulator.faults.configure([{"method": "editMessageText", "kind": "403", "count": 1}], None)
    await lan.press("Thủ trưởng")
    apology = await lan.expect("Xin lỗi, hệ thống gặp sự cố (mã lỗi")
    assert "Những gì bạn đã gửi trước đó vẫn được lưu" in apology["text"]
    assert await rows(campaign.db, Answer, Answer.raw.is_not(None)) == 1
    await lan.send("/tiep")
    await lan.expect("Câu trả lời hiện tại: Thủ trưởng đơn vị làm Trưởng ban")


async def test_unknown_input_gets_short_help_never_silence(bot, campaign, person):
    lan = await joined(person, campaign, 719060)
    await lan.send("/lenh_la")
    await lan.expect("Bot chưa hiểu tin nhắn này")
    await lan.send("trời hôm nay đẹp quá")  # no item open, and not a question the bot knows
    await lan.expect("Bot chưa hiểu tin nhắn này")
    await lan.send("hạng của tôi là bao nhiêu?")  # a question in plain words gets its answer
    await lan.expect("Xếp hạng — Sở Nội vụ")


async def test_after_the_deadline_everything_is_read_only_and_says_why(bot, campaign, person):
    from datetime import date, timedelta

    from storage.models import Period

    lan = await joined(person, campaign, 719070)
    async with campaign.db.session() as session, session.begin():
        period = await session.get(Period, campaign.period_id)
        period.deadline = date.today() - timedelta(days=1)
    await lan.press("Tự đánh giá")
    await lan.expect("Hết hạn tự đánh giá ngày")
    assert "Thủ trưởng" not in str(lan.messages)  # no answer buttons
    await lan.send("12")
    await lan.expect("Hết hạn tự đánh giá ngày")
