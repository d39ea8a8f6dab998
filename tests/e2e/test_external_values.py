"""Through the emulator: a coordinator enters Sở Nội vụ's figure of item 6.3 (provided by another
agency) in the chat, and the unit's focal point reads who provided it in the summary."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from storage.models import Answer, Unit

FOCAL, COORDINATOR = 700001, 700007
SOURCE = "Sở Nội vụ (QĐ 12/QĐ-SNV)"


async def test_a_coordinator_enters_one_units_figure_and_the_unit_sees_who_provided_it(demo_bot, person):
    chi, lan = person(COORDINATOR, "Hoàng Văn Chí"), person(FOCAL, "Nguyễn Thị Lan")
    await lan.send("/menu")
    await lan.expect("Menu chính")
    await lan.press("Tổng hợp và nộp")
    before = await lan.expect("Tổng hợp kết quả tự đánh giá")
    assert "6.3" in before["text"] and "chờ điều phối viên nhập số liệu" in before["text"]

    await chi.send("/menu")
    await chi.expect("Menu chính")
    await chi.press("Nhập số liệu cơ quan khác")
    await chi.expect("Số liệu do cơ quan khác cung cấp")
    await chi.press("6.3 ·")
    await chi.expect("Nhập số liệu của")  # the first unit without a figure is asked; Sở Nội vụ is further on
    for _page in range(5):
        try:
            chi.button("SNV")
            break
        except AssertionError:
            await chi.press("Trang sau")
            await chi.expect("Trang ")
    await chi.press("SNV")
    await chi.expect("Nhập số liệu của <b>Sở Nội vụ</b>")
    await chi.send(f"0,4; {SOURCE}")
    await chi.expect("Đã lưu: Sở Nội vụ — 0,4 → 4 điểm")

    await lan.send("/menu")
    await lan.expect("Menu chính")
    await lan.press("Tổng hợp và nộp")
    after = await lan.expect(f"số liệu do {SOURCE} cung cấp — 4/10")
    assert "chờ điều phối viên nhập số liệu" not in after["text"]
    async with demo_bot.read_session() as session:
        answer = (
            await session.execute(
                select(Answer)
                .join(Unit, Unit.id == Answer.unit_id)
                .where(Unit.code == "SNV", Answer.sub_index_code == "6.3")
            )
        ).scalar_one()
    assert (answer.status, answer.verified_points, answer.note) == ("accepted", Decimal(4), SOURCE)
