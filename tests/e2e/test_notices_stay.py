"""A notice — a message the bot sends by itself through the outbox — stays as it was when its button is
tapped: the screen it opens comes as a new message below it (a card opened so becomes the live card).
Through the real bot, the real outbox sender and the emulator, whose state keeps every message."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from bot.app import create_bot
from bot.outbox_sender import OutboxSender
from bot.render.campaign.notices import reminder_payload
from bot.render.campaign.phases import results_notice
from bot.sandbox.server import SANDBOX_TOKEN
from bot.services.access import SYSTEM
from bot.services.campaign.outbox import NewMessage, enqueue
from bot.services.campaign.periods import move_phase
from bot.services.campaign.reminders import DueReminder
from storage.models import Period, Person, Unit
from storage.types import utcnow
from tests.e2e.harness import BotProcess
from tests.e2e.harness import Person as Chat


async def deliver(emulator, db) -> None:
    """What the outbox holds, sent now by the outbox sender (as the bot's jobs would)."""
    sender_bot = create_bot(SANDBOX_TOKEN, emulator.url, retry=False)
    try:
        await OutboxSender(sender_bot, db).drain(10)
    finally:
        await sender_bot.session.close()


async def join(chat: Chat, campaign, unit: str = "SNV") -> None:
    await chat.send(f"/start {await campaign.invite(unit)}")
    await chat.expect("Bạn đã được đăng ký làm đầu mối")


async def test_a_reminders_continue_button_opens_the_card_below_and_the_reminder_keeps_its_text(
    bot: BotProcess, emulator, campaign, person
):
    lan = person(719501)
    await join(lan, campaign)
    async with campaign.db.session() as session:
        period = await session.get(Period, campaign.period_id)
        person_id = (await session.execute(select(Person.id).where(Person.telegram_id == 719501))).scalar_one()
        unit_id = (await session.execute(select(Unit.id).where(Unit.code == "SNV"))).scalar_one()
    due = DueReminder(
        "test:reminder", person_id, 719501, "Sở Nội vụ", period.id, 20, 20, 0, 0, period.deadline, 7, unit_id=unit_id
    )
    await enqueue(campaign.db, [NewMessage(due.dedupe_key, 719501, reminder_payload(due), person_id)], utcnow())
    await deliver(emulator, campaign.db)
    reminder = await lan.expect("còn 20/20 chỉ số chưa trả lời")
    text = reminder["text"]

    await lan.press("Tiếp tục tự đánh giá")
    card = await lan.expect("1.1 Người đứng đầu")
    assert card["message_id"] > reminder["message_id"]  # a new message below the notice…
    await lan.quiet(0.5)
    assert lan.messages[reminder["message_id"]]["text"] == text  # …which keeps its text
    assert "1.1 Người đứng đầu" not in lan.messages[reminder["message_id"]]["text"]

    await lan.press("Phó Thủ trưởng")  # the card it opened is the live card: a tap edits it
    await lan.expect("✅ Đã ghi 1.1")
    assert "✅ Đã ghi 1.1" in lan.messages[card["message_id"]]["text"]
    assert lan.messages[reminder["message_id"]]["text"] == text
    assert "reply_markup" in lan.messages[reminder["message_id"]]  # its button may stay


async def test_the_provisional_results_notices_objection_button_opens_below_and_the_notice_stays(
    bot: BotProcess, emulator, campaign, person
):
    lan = person(719502)
    await join(lan, campaign)
    async with campaign.db.session() as session, session.begin():
        await session.execute(update(Period).where(Period.id == campaign.period_id).values(state="locked"))
    until = date.today() + timedelta(days=5)
    await move_phase(
        campaign.db, SYSTEM, campaign.period_id, "provisional", until=until, now=utcnow(), render=results_notice
    )
    await deliver(emulator, campaign.db)
    notice = await lan.expect("Kết quả tạm thời")
    text = notice["text"]

    await lan.press("Kiến nghị kết quả")
    opened = await lan.expect("Kiến nghị về kết quả tạm thời</b> — Sở Nội vụ")
    assert opened["message_id"] > notice["message_id"]
    await lan.quiet(0.5)
    assert lan.messages[notice["message_id"]]["text"] == text  # the results are still there to read
    button = next(  # tapped again: opens again, below; the notice still stays
        b["callback_data"]
        for row in lan.messages[notice["message_id"]]["reply_markup"]["inline_keyboard"]
        for b in row
        if "Kiến nghị kết quả" in b["text"]
    )
    await lan.press_data(notice["message_id"], button)
    again = await lan.expect("Kiến nghị về kết quả tạm thời</b> — Sở Nội vụ")
    assert again["message_id"] > opened["message_id"]
    assert lan.messages[notice["message_id"]]["text"] == text
