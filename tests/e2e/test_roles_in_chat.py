"""Leaders, reviewers and admins doing their tasks in the chat, through the emulator."""

from __future__ import annotations

from bot.services.access import SYSTEM
from storage.types import utcnow

LEADER, REVIEWER, ADMIN, FOCAL, COORDINATOR = 700004, 700006, 700008, 700001, 700007


async def test_a_leader_asks_in_plain_words_and_gets_rank_weakest_items_and_charts(demo_bot, person, emulator):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("hạng của tôi?")
    ranking = await leader.expect("Xếp hạng — Sở Nội vụ")
    assert "khối sở, ban, ngành" in ranking["text"] and "Kết quả tạm tính" in ranking["text"]
    await leader.send("chi so nao yeu nhat")
    weakest = await leader.expect("Chỉ số yếu — Sở Nội vụ")
    assert "💡 Nếu" in weakest["text"]
    await leader.press("Biểu đồ")
    photos = []
    for _ in range(40):
        photos = [m for m in emulator.state.chats[LEADER].messages.values() if m.get("photo")]
        if len(photos) == 2:
            break
        await leader.quiet(0.5)
    assert len(photos) == 2
    png = emulator.state.files[photos[0]["photo"][-1]["file_id"]].data
    assert png.startswith(b"\x89PNG")
    await leader.send("bao gio het han")
    await leader.expect("Hạn chót của")


# the appraisal's queue, decisions and grouped notices in the chat: tests/e2e/test_appraisal_in_chat.py


async def test_an_admin_exports_from_the_chat_and_receives_the_files(demo_bot, person, emulator):
    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    await admin.press("Xuất dữ liệu")
    await admin.expect("Đã xuất", timeout=60)
    documents = [m["document"]["file_name"] for m in emulator.state.chats[ADMIN].messages.values() if m.get("document")]
    assert any(n.endswith(".xlsx") for n in documents) and any(n.endswith("-minh-chung.zip") for n in documents)


async def test_a_focal_point_cannot_reach_the_review_queue_or_the_export(demo_bot, person):
    focal = person(FOCAL, "Nguyễn Thị Lan")
    await focal.send("/menu")
    menu = await focal.expect("Menu chính")
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert not any("Thẩm định" in x or "Xuất dữ liệu" in x for x in labels)
    await focal.press_data(menu["message_id"], "mnu|0|0||export")
    await focal.expect("Bạn không có quyền")
    await focal.press_data(menu["message_id"], "rvn|0|0||")
    await focal.expect("Bạn không có quyền")


async def test_an_admin_imports_units_and_invites_people_by_sending_sheets(demo_bot, person, emulator):
    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    await admin.press("Nhập đơn vị")
    await admin.expect("Gửi bảng danh sách đơn vị")
    bad = "code,name,cohort\nX-MOI,,xa-phuong\nX-MOI2,Xã Mới 2,xa-phuong\n"
    await admin.upload(bad.encode(), "don-vi.csv", mime="text/csv")
    await admin.expect("Dòng 2: Đơn vị X-MOI chưa có tên")
    good = "code,name,cohort,has_public_services\nX-MOI,Xã Mới,xa-phuong,có\n"
    await admin.upload(good.encode(), "don-vi.csv", mime="text/csv")
    await admin.expect("Đơn vị: 1 tạo mới, 0 cập nhật, 0 không đổi.")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    await admin.press("Mời người dùng")
    await admin.expect("Gửi bảng lời mời")
    await admin.upload(b"unit_code,role,count\nX-MOI,focal_point,2\n,coordinator,1\n", "moi.csv", mime="text/csv")
    await admin.expect("Đã tạo 3 lời mời")
    sheet = next(
        m
        for m in emulator.state.chats[ADMIN].messages.values()
        if m.get("document", {}).get("file_name") == "loi-moi.csv"
    )
    links = emulator.state.files[sheet["document"]["file_id"]].data.decode("utf-8-sig")
    assert links.count("https://t.me/dti_sandbox_bot?start=") == 3


async def test_a_coordinator_sets_the_reminders_in_the_chat_and_a_focal_point_cannot(demo_bot, person):
    from sqlalchemy import select

    from storage.models import Period

    coordinator = person(COORDINATOR, "Võ Thanh Sơn")
    await coordinator.send("/menu")
    await coordinator.expect("Menu chính")
    await coordinator.press("Nhắc việc")
    screen = await coordinator.expect("Nhắc việc</b>")
    assert "Trước hạn chót: trước 7 ngày, trước 3 ngày, trước 1 ngày, đúng ngày hạn" in screen["text"]
    assert "Giờ gửi: 07:30–17:30, vào T2, T3, T4, T5, T6" in screen["text"]
    assert "Đang dùng cài đặt mặc định" in screen["text"]
    await coordinator.press("5 ngày")
    await coordinator.expect("trước 7 ngày, trước 5 ngày, trước 3 ngày")
    await coordinator.press("Mỗi 3")
    screen = await coordinator.expect("Khi quá hạn: mỗi 3 ngày làm việc")
    assert "Lần nhắc tiếp theo:" in screen["text"] or "không còn lần nhắc" in screen["text"]
    async with demo_bot.read_session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalars().one()
    assert period.reminder_policy == {"days_before": [7, 5, 3, 1, 0], "overdue_every_working_days": 3}

    focal = person(FOCAL, "Nguyễn Thị Lan")
    await focal.send("/menu")
    menu = await focal.expect("Menu chính")
    assert not any("Nhắc việc" in b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row)
    await focal.press_data(menu["message_id"], f"rmp|0|{period.id}||o:0")
    await focal.expect("Bạn không có quyền")
    async with demo_bot.read_session() as session:
        assert (await session.get(Period, period.id)).reminder_policy["overdue_every_working_days"] == 3


async def open_unit_in_people(admin, label: str) -> dict:
    """From the admin's main menu: 👥 People, then the unit's button (paging through the units)."""
    await admin.press("Người dùng")
    await admin.expect("Người dùng và vai trò")
    for _ in range(10):
        try:
            admin.button(label)
            break
        except AssertionError:
            await admin.press("▶️")
            await admin.expect("Trang ")
    await admin.press(label)
    return await admin.expect(f"<b>👥 {label.split(' · ')[1]}</b>")


async def test_an_admin_removes_a_focal_points_role_in_the_chat_and_their_next_tap_gets_the_stranger_answer(
    demo_bot, person
):
    from sqlalchemy import select

    from storage.models import AccessChange, Person

    focal = person(FOCAL, "Nguyễn Thị Lan")
    await focal.send("/menu")
    await focal.expect("Menu chính")  # the focal point's menu, whose buttons they will tap later
    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    listing = await open_unit_in_people(admin, "SNV · Sở Nội vụ")
    assert "• Nguyễn Thị Lan — đầu mối, Telegram 700001" in listing["text"]
    assert "• Huỳnh Văn Phúc — đầu mối" in listing["text"]
    await admin.press("Gỡ: Nguyễn Thị Lan — đầu mối")
    await admin.expect("Xác nhận gỡ vai trò đầu mối của Nguyễn Thị Lan (Sở Nội vụ)?")
    await admin.press("✅ Gỡ vai trò")
    after = await admin.expect("✅ Đã gỡ vai trò đầu mối của Nguyễn Thị Lan (Sở Nội vụ).")
    assert "• Nguyễn Thị Lan" not in after["text"] and "• Huỳnh Văn Phúc" in after["text"]

    await focal.press("Tự đánh giá")
    await focal.expect("Chỉ người được mời mới sử dụng được bot này.")
    await focal.send("/menu")
    await focal.expect("Chỉ người được mời mới sử dụng được: hãy đề nghị điều phối viên")

    async with demo_bot.read_session() as session:
        [row] = (await session.execute(select(AccessChange))).scalars().all()
        admin_id = (await session.execute(select(Person.id).where(Person.telegram_id == ADMIN))).scalar_one()
    assert (row.action, row.role, row.changed_by, row.via) == ("role_removed", "focal_point", admin_id, "chat")


async def test_people_buttons_refuse_forged_data_other_roles_and_removing_the_last_administrator(demo_bot, person):
    from bot.services.admin.invites import create_invites

    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    menu = await admin.expect("Menu chính")
    await admin.press_data(menu["message_id"], "ppx|0|0||abc")
    await admin.expect("Nút này không còn hiệu lực")
    await admin.press_data(menu["message_id"], "ppl|5|0||p:0")
    await admin.expect("Nút này không còn hiệu lực")
    await admin.press_data(menu["message_id"], "ppx|0|0||99999999")
    await admin.expect("Vai trò này đã được gỡ trước đó")

    await admin.press("Người dùng")
    await admin.expect("Người dùng và vai trò")
    await admin.press("Vai trò toàn tỉnh")
    await admin.expect("Đặng Quốc Bảo — quản trị viên")
    await admin.press("Gỡ: Đặng Quốc Bảo — quản trị viên")
    await admin.expect("Xác nhận gỡ vai trò quản trị viên của Đặng Quốc Bảo (toàn tỉnh)?")
    await admin.press("✅ Gỡ vai trò")
    await admin.expect("Đây là quản trị viên cuối cùng")

    coordinator = person(COORDINATOR, "Võ Thanh Sơn")
    await coordinator.send("/menu")
    shown = await coordinator.expect("Menu chính")
    assert not any("Người dùng" in b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row)
    await coordinator.press_data(shown["message_id"], "ppl|0|0||p:0")
    await coordinator.expect("Bạn không có quyền")
    await coordinator.press_data(shown["message_id"], "ivx|0|0||99999999")
    await coordinator.expect("Bạn không có quyền")

    await create_invites(demo_bot, SYSTEM, "leader", "SNV", count=2, now=utcnow())
    await admin.send("/menu")
    await admin.expect("Menu chính")
    listing = await open_unit_in_people(admin, "SNV · Sở Nội vụ")
    assert "Lời mời chưa dùng: 2" in listing["text"]
    await admin.press("Thu hồi 2 lời mời chưa dùng")
    await admin.expect("Thu hồi 2 lời mời chưa dùng của Sở Nội vụ?")
    await admin.press("✅ Thu hồi")
    revoked = await admin.expect("✅ Đã thu hồi 2 lời mời")
    assert "Lời mời chưa dùng" not in revoked["text"]
