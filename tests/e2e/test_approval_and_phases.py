"""Through the emulator: the unit's leader returns the self-assessment with a comment, the focal point
sees it and submits again, the leader approves; a coordinator moves the period's phase in the chat."""

from __future__ import annotations

from sqlalchemy import select

from bot.campaign_calendar import working_days_after
from storage.models import Period, PeriodChange, Person, Unit, UnitApproval

FOCAL, LEADER, COORDINATOR = 700001, 700004, 700007
COMMENT = "Bổ sung kế hoạch chuyển đổi số năm 2026 có chữ ký"


async def test_a_leader_returns_the_self_assessment_with_a_comment_and_approves_it_resubmitted(demo_bot, person):
    lan, tuan = person(FOCAL, "Nguyễn Thị Lan"), person(LEADER, "Lê Minh Tuấn")
    await lan.send("/menu")
    await lan.expect("Menu chính")
    await lan.press("Tổng hợp và nộp")
    await lan.expect("Tổng hợp kết quả tự đánh giá")
    await lan.press("Nộp kết quả")
    await lan.expect("Nộp kết quả ngay bây giờ?")
    await lan.press("Đồng ý nộp")
    await lan.expect("để lãnh đạo đơn vị phê duyệt")

    await tuan.expect("Nguyễn Thị Lan đã trình kết quả tự đánh giá của Sở Nội vụ", timeout=30)
    await tuan.press("Xem và phê duyệt")
    summary = await tuan.expect("Phê duyệt kết quả tự đánh giá</b> — Sở Nội vụ")
    assert "Tổng điểm tự chấm" in summary["text"] and "chờ lãnh đạo phê duyệt" in summary["text"]
    await tuan.press("Trả lại kèm ý kiến")
    await tuan.expect("Nhập ý kiến gửi đầu mối của Sở Nội vụ")
    await tuan.send(COMMENT)
    await tuan.expect("Đã trả lại đầu mối")

    returned = await lan.expect(f"trả lại kết quả tự đánh giá của Sở Nội vụ: “{COMMENT}”", timeout=30)
    assert returned["reply_markup"]["inline_keyboard"][0][0]["text"] == "📊 Mở bảng tổng hợp"
    await lan.press("Mở bảng tổng hợp")
    await lan.expect("Tổng hợp kết quả tự đánh giá")
    await lan.press("Nộp kết quả")
    await lan.expect("Nộp kết quả ngay bây giờ?")
    await lan.press("Đồng ý nộp")
    await lan.expect("để lãnh đạo đơn vị phê duyệt")

    await tuan.expect("Nguyễn Thị Lan đã trình kết quả tự đánh giá của Sở Nội vụ", timeout=30)
    await tuan.press("Xem và phê duyệt")
    await tuan.expect("chờ lãnh đạo phê duyệt")
    await tuan.press("✅ Phê duyệt")
    await tuan.expect("Phê duyệt kết quả tự đánh giá của Sở Nội vụ?")
    await tuan.press("Đồng ý phê duyệt")
    await tuan.expect("Đã phê duyệt: hồ sơ tự đánh giá chuyển sang bộ phận thẩm định")
    await lan.expect("đã phê duyệt kết quả tự đánh giá của Sở Nội vụ", timeout=30)

    async with demo_bot.read_session() as session:
        snv = (await session.execute(select(Unit.id).where(Unit.code == "SNV"))).scalar_one()
        rows = (
            (await session.execute(select(UnitApproval).where(UnitApproval.unit_id == snv).order_by(UnitApproval.id)))
            .scalars()
            .all()
        )
        leader_id = (await session.execute(select(Person.id).where(Person.telegram_id == LEADER))).scalar_one()
    assert [r.action for r in rows] == ["submit", "return", "submit", "approve"]
    assert rows[1].comment == COMMENT and rows[1].person_id == rows[3].person_id == leader_id


async def test_a_coordinator_moves_the_phase_in_the_chat_and_going_back_asks_for_a_reason(demo_bot, person):
    son, tuan = person(COORDINATOR, "Võ Thanh Sơn"), person(LEADER, "Lê Minh Tuấn")
    async with demo_bot.read_session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalar_one()
    supplement = working_days_after(period.deadline, 15).strftime("%d/%m/%Y")
    await son.send("/menu")
    await son.expect("Menu chính")
    await son.press("Giai đoạn")
    screen = await son.expect("Giai đoạn hiện tại: <b>đang tự đánh giá</b>")
    assert f"đến hết ngày {supplement}" in screen["text"]
    await son.press("Chuyển sang thẩm định")
    await son.expect("sang giai đoạn <b>thẩm định</b>?")
    await son.press("Xác nhận")
    moved = await son.expect("đã chuyển sang giai đoạn thẩm định")
    assert f"Đang thẩm định; đơn vị bổ sung hồ sơ đến {supplement}." in moved["text"]

    await son.press("Quay lại giai đoạn tự đánh giá")
    await son.expect("cần nêu lý do")
    await son.send("Sở Y tế xin gia hạn")
    await son.expect("đã chuyển sang giai đoạn tự đánh giá")

    await son.press("Chuyển sang thẩm định")
    await son.expect("sang giai đoạn <b>thẩm định</b>?")
    await son.press("Xác nhận")
    await son.expect("đã chuyển sang giai đoạn thẩm định")
    await son.press("Công bố kết quả tạm thời")
    await son.expect("sang giai đoạn <b>kết quả tạm thời</b>?")
    await son.press("Xác nhận")
    await son.expect("Đã gửi kết quả cho")
    told = await tuan.expect("Kết quả tạm thời</b>", timeout=30)
    assert "Sở Nội vụ:" in told["text"] and "xếp thứ" in told["text"]

    async with demo_bot.read_session() as session:
        rows = (await session.execute(select(PeriodChange).order_by(PeriodChange.id))).scalars().all()
        coordinator = (await session.execute(select(Person.id).where(Person.telegram_id == COORDINATOR))).scalar_one()
    assert [(r.action, r.from_state, r.to_state, r.via) for r in rows] == [
        ("appraisal", "open", "locked", "chat"),
        ("reopen", "locked", "open", "chat"),
        ("appraisal", "open", "locked", "chat"),
        ("provisional", "locked", "provisional", "chat"),
    ]
    assert rows[1].reason == "Sở Y tế xin gia hạn" and {r.changed_by for r in rows} == {coordinator}
