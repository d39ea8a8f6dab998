"""Vietnamese numbers through the real bot: an ambiguous number is asked about with two buttons,
an unusual one with "bạn chắc chứ?", and a forged reading button gets a clear answer."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Answer
from tests.e2e.harness import BotProcess


async def stored(db, code):
    async with db.session() as session:
        return (await session.execute(select(Answer.raw).where(Answer.sub_index_code == code))).scalar_one_or_none()


async def test_an_ambiguous_number_gets_two_buttons_and_an_unusual_one_asks_are_you_sure(
    bot: BotProcess, campaign, person
):
    lan = person(710101)
    await lan.send(f"/start {await campaign.invite('SNV')}")
    await lan.expect("Bạn đã được đăng ký làm đầu mối của Sở Nội vụ")
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 Người đứng đầu")

    # 1.3 counts articles: "5.000" is five thousand, far above the usual; the bot asks first.
    await lan.press("Danh sách")
    await lan.expect_button("1.3")
    await lan.press("1.3")
    await lan.expect("1.3 Tuyên truyền về chuyển đổi số")
    await lan.send("5.000")
    await lan.expect("5.000 — lớn bất thường (thông thường không quá 2.000)")
    assert "Bạn chắc chứ?" in lan.last_text()
    assert await stored(campaign.db, "1.3") is None
    await lan.press("Nhập lại")
    await lan.expect("Nhập một số nguyên")
    await lan.send("5.000")
    await lan.expect("Bạn chắc chứ?")
    await lan.press("Đúng, ghi lại")
    await lan.expect("✅ Đã ghi 1.3: 6/6 điểm")
    assert await stored(campaign.db, "1.3") == {"count": "5000"}

    # 2.3 is in million dong, decimals allowed: "12.500" is 12 500 or 12,5 — two buttons.
    await lan.press("Danh sách")
    await lan.expect_button("2.3")
    await lan.press("2.3")
    await lan.expect("2.3 Bố trí kinh phí")
    await lan.send("12.500")
    await lan.expect("“12.500” có thể hiểu theo hai cách")
    await lan.expect_button("12.500 (dấu chấm tách hàng nghìn)")
    message_id, thousands = lan.button("12.500 (dấu chấm tách hàng nghìn)")
    await lan.press_data(message_id, thousands.replace("r:0", "r:7"))  # forged: a reading that was never offered
    await lan.expect("Lựa chọn này không còn hiệu lực")
    await lan.press("12,5 (dấu chấm là dấu thập phân)")
    await lan.expect("Đã nhận 12,5. Tiếp theo, hãy nhập: kinh phí theo kế hoạch")
    await lan.send("25")
    await lan.expect("✅ Đã ghi 2.3: 3/6 điểm")
    assert await stored(campaign.db, "2.3") == {"a": "12.5", "b": "25"}

    # A count of people never takes a decimal.
    await lan.press("Danh sách")
    await lan.expect_button("3.1")
    await lan.press("3.1")
    await lan.expect("3.1 Tỷ lệ cán bộ")
    await lan.send("12,5/20")
    await lan.expect("Hãy nhập số nguyên, không có phần thập phân")
    await lan.send("1.234/1.500")
    await lan.expect("✅ Đã ghi 3.1")
    assert await stored(campaign.db, "3.1") == {"a": "1234", "b": "1500"}
