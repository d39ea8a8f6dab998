"""A unit's items after the self-assessment, through the emulator on the demo province: an item the
appraisers sent back is answered after the deadline, during appraisal, and goes back to them; every
other item says it is read-only and why. An explanation ("giải trình") is typed and shown on the card."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select

from bot.services.admin.frameworks import framework_of
from storage.models import Answer, Conversation, FrameworkVersion, Period, Person, Review, Unit

FOCAL = 700001  # Nguyễn Thị Lan, focal point of Sở Nội vụ (SNV)
SENT_BACK, OTHER = "1.2", "2.1"  # yes/no items of the department framework


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


async def snv(db) -> tuple[int, int]:
    async with db.session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalar_one()
        unit = (await session.execute(select(Unit).where(Unit.code == "SNV"))).scalar_one()
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
    assert framework.sub_index(SENT_BACK).method.kind == framework.sub_index(OTHER).method.kind == "yes_no"
    return period.id, unit.id


async def answer_of(db, period_id: int, unit_id: int, code: str) -> Answer:
    async with db.session() as session:
        return (
            await session.execute(
                select(Answer).where(
                    Answer.period_id == period_id, Answer.unit_id == unit_id, Answer.sub_index_code == code
                )
            )
        ).scalar_one()


async def fresh_start(db, telegram_id: int) -> None:
    """The person's conversation forgotten: the menu starts them at the unit's first open item."""
    async with db.session() as session, session.begin():
        person = (await session.execute(select(Person).where(Person.telegram_id == telegram_id))).scalar_one()
        await session.execute(delete(Conversation).where(Conversation.person_id == person.id))


async def open_from_the_list(lan, code: str) -> None:
    await lan.send("/tiep")
    await lan.expect_button("Danh sách")
    await lan.press("Danh sách")
    await lan.expect("Danh sách chỉ số")
    await lan.press(f" {code}")


async def test_a_sent_back_item_is_answered_after_the_deadline_and_goes_back_to_the_appraisers(demo_bot, person):
    db = demo_bot
    period_id, unit_id = await snv(db)
    today = date.today()
    until = today + timedelta(days=3)
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id)
        period.deadline, period.state, period.supplement_deadline = today - timedelta(days=2), "locked", until
        for code in (SENT_BACK, OTHER):
            answer = (
                await session.execute(
                    select(Answer).where(
                        Answer.period_id == period_id, Answer.unit_id == unit_id, Answer.sub_index_code == code
                    )
                )
            ).scalar_one_or_none()
            if answer is None:
                answer = Answer(period_id=period_id, unit_id=unit_id, sub_index_code=code, revision=1)
                session.add(answer)
            answer.raw, answer.self_points, answer.status = {"yes": True}, 6, "submitted"
            if code == SENT_BACK:
                answer.status = "needs_supplement"
                await session.flush()
                session.add(Review(answer_id=answer.id, decision="needs_supplement", comment="Thiếu kế hoạch năm"))
    await fresh_start(db, FOCAL)

    lan = person(FOCAL, "Nguyễn Thị Lan")
    await open_from_the_list(lan, OTHER)
    card = (await lan.expect("Đang thẩm định; chỉ những chỉ số được đề nghị bổ sung mới sửa được."))["text"]
    assert f"{OTHER} " in card and "Danh sách chỉ số" not in card

    await lan.press("Danh sách")
    await lan.expect("Danh sách chỉ số")
    await lan.press(f"◐ {SENT_BACK}")  # ◐: sent back
    card = (await lan.expect("Thiếu kế hoạch năm"))["text"]
    assert f"sửa được đến hết ngày {vn(until)}" in card
    await lan.press("Không")
    await lan.expect(f"Đã ghi {SENT_BACK}: 0/6 điểm")
    assert (await answer_of(db, period_id, unit_id, SENT_BACK)).raw == {"yes": False}

    await lan.press("Danh sách")
    await lan.expect("Danh sách chỉ số")
    await lan.press("Tổng hợp và nộp")
    await lan.expect("Tổng hợp kết quả tự đánh giá")
    await lan.press("Nộp kết quả")
    await lan.expect("Nộp kết quả ngay bây giờ?")
    await lan.press("Đồng ý nộp")
    await lan.expect("📨")
    supplemented = await answer_of(db, period_id, unit_id, SENT_BACK)
    assert supplemented.status == "submitted"  # back in the appraisers' queue
    assert (await answer_of(db, period_id, unit_id, OTHER)).raw == {"yes": True}  # untouched

    await open_from_the_list(lan, SENT_BACK)  # supplemented: read-only again, like every other item
    card = (await lan.expect("Đang thẩm định; chỉ những chỉ số được đề nghị bổ sung mới sửa được."))["text"]
    assert f"{SENT_BACK} " in card and "sửa được đến hết ngày" not in card


async def test_an_explanation_is_typed_and_shown_on_the_item(demo_bot, person):
    db = demo_bot
    period_id, unit_id = await snv(db)
    await fresh_start(db, FOCAL)

    lan = person(FOCAL, "Nguyễn Thị Lan")
    await open_from_the_list(lan, OTHER)
    await lan.expect(f"{OTHER} ")
    await lan.press("Giải trình")
    await lan.expect("Nhập nội dung giải trình")
    await lan.send("Quy chế đang trình Giám đốc Sở ký ban hành")
    await lan.expect("📝 Giải trình: “Quy chế đang trình Giám đốc Sở ký ban hành”")
    answer = await answer_of(db, period_id, unit_id, OTHER)
    assert answer.explanation == "Quy chế đang trình Giám đốc Sở ký ban hành"
