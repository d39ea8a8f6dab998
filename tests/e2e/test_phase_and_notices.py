"""Through the real bot and the emulator: after the self-assessment the menu and the summary say the
phase with its date (issue 13.1); a card opened by plain words ("tiếp tục") becomes the person's one
live card (issue 14.3); a unit's objection reaches the council chair with a button that opens it
(issue 13.7)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from storage.models import Period
from tests.e2e.harness import BotProcess, Person
from tests.e2e.taps import live_button_messages


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


async def join(person: Person, campaign, unit: str | None, role: str, registered: str) -> None:
    await person.send(f"/start {await campaign.invite(unit, role)}")
    await person.expect(registered)


async def set_period(campaign, **values) -> None:
    async with campaign.db.session() as session, session.begin():
        await session.execute(update(Period).where(Period.id == campaign.period_id).values(**values))


async def test_in_appraisal_the_menu_and_the_summary_say_the_phase_with_the_supplement_date(
    bot: BotProcess, campaign, person
):
    lan = person(719301)
    await join(lan, campaign, "SNV", "focal_point", "Bạn đã được đăng ký làm đầu mối")
    until = date.today() + timedelta(days=12)
    await set_period(campaign, state="locked", supplement_deadline=until)
    await lan.send("/menu")
    menu = await lan.expect("Menu chính")
    line = f"🗓 Đang thẩm định; đơn vị bổ sung hồ sơ đến {vn(until)}."
    assert line in menu["text"] and "Hạn chót" not in menu["text"]

    await lan.press("Tổng hợp")
    summary = await lan.expect("Tổng hợp kết quả tự đánh giá")
    assert summary["text"].count("Đang thẩm định") == 1 and line in summary["text"]


async def test_a_card_opened_by_plain_words_becomes_the_one_live_card(bot: BotProcess, campaign, person):
    lan = person(719302)
    await join(lan, campaign, "SNV", "focal_point", "Bạn đã được đăng ký làm đầu mối")
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")
    await lan.quiet(0.5)
    first, _ = lan.button("Phó Thủ trưởng")
    await lan.send("tiếp tục")  # plain words: the card comes again, at the bottom
    await lan.expect("1.1 Người đứng đầu")
    await lan.quiet(1.0)
    card, _ = lan.button("Phó Thủ trưởng")
    assert card > first
    assert "reply_markup" not in lan.messages[first]  # the old card lost its buttons…
    assert live_button_messages(lan) == 1
    await lan.press("Phó Thủ trưởng")  # …and the new one is the card the bot edits
    await lan.expect("✅ Đã ghi 1.1")
    assert "✅ Đã ghi 1.1" in lan.messages[card]["text"]


async def test_a_units_objection_reaches_the_council_chair_with_a_button_that_opens_it(
    bot: BotProcess, campaign, person
):
    lan, son = person(719303), person(719304, "Võ Thanh Sơn")
    await join(lan, campaign, "SNV", "focal_point", "Bạn đã được đăng ký làm đầu mối")
    await join(son, campaign, None, "coordinator", "điều phối viên")
    await set_period(campaign, state="provisional", feedback_deadline=date.today() + timedelta(days=5))
    await lan.send("/menu")
    await lan.expect("Menu chính")
    await lan.press("Kiến nghị kết quả")
    await lan.expect("Kiến nghị về kết quả tạm thời</b> — Sở Nội vụ")
    await lan.press("1.2 Ban hành")
    await lan.expect("Nhập lý do kiến nghị")
    await lan.send("Đơn vị đã ban hành kế hoạch số 45/KH-SNV; đề nghị chấm 6 điểm.")
    await lan.expect("Gửi kiến nghị")
    await lan.press("Gửi kiến nghị")
    await lan.expect("Đã gửi kiến nghị về chỉ số 1.2")

    notice = await son.expect("Kiến nghị mới", timeout=30)
    assert "Sở Nội vụ kiến nghị về chỉ số 1.2" in notice["text"] and "45/KH-SNV" in notice["text"]
    await son.press("Mở kiến nghị")
    opened = await son.expect("Kiến nghị số")
    assert "Sở Nội vụ" in opened["text"] and "1.2" in opened["text"] and "45/KH-SNV" in opened["text"]
    await son.quiet(1.0)
    assert opened["message_id"] > notice["message_id"]  # opened below: the notice keeps its text
    assert son.messages[notice["message_id"]]["text"] == notice["text"]
