"""No dead ends for any role, and questions in plain words, through the real bot and the emulator:
/help and unknown input per role, /tiep for a leader, a leader's questions (rank, what-if), and the
menu that greets the person by name with the days left and the unit's progress."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select, update

from bot.campaign_calendar import local_date
from bot.render.numbers import vn_date
from bot.services.access import SYSTEM
from bot.services.admin.invites import create_invites, hash_code
from storage.models import Answer, Invite, Period, Unit
from storage.types import utcnow

FOCAL, LEADER, REVIEWER, COORDINATOR, ADMIN = 700001, 700004, 700006, 700007, 700008


def photos(emulator, chat: int) -> list[dict]:
    return [m for m in emulator.state.chats[chat].messages.values() if m.get("photo")]


def buttons(message: dict) -> list[str]:
    return [b["text"] for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


async def test_each_role_gets_its_own_help_and_a_leaders_never_names_tiep(demo_bot, person):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("/help")
    shown = await leader.expect("Bạn có thể làm gì ở đây")
    text = shown["text"]
    assert "/tiep" not in text and "Tự đánh giá" not in text
    for tool in (
        "“🏆 Xếp hạng”",
        "“📉 Chỉ số yếu”",
        "“📋 Tổng quan”",
        "“📊 Biểu đồ”",
        "“📄 Báo cáo”",
        "so với năm ngoái",
    ):
        assert tool in text
    assert "Hàng chờ thẩm định" not in text and "Xuất dữ liệu" not in text and "Gửi thông báo" not in text
    assert "Đơn vị: Sở Nội vụ (lãnh đạo)" in text
    assert not any("Tự đánh giá" in b for b in buttons(shown)) and "🏆 Xếp hạng" in buttons(shown)

    focal = person(FOCAL, "Nguyễn Thị Lan")
    await focal.send("/help")
    text = (await focal.expect("Bạn có thể làm gì ở đây"))["text"]
    assert "/tiep — làm tiếp" in text and "“📊 Tổng hợp và nộp”" in text and "“🏆 Xếp hạng”" in text
    assert "Hàng chờ thẩm định" not in text and "Gửi thông báo" not in text

    reviewer = person(REVIEWER, "Phạm Thu Hà")
    await reviewer.send("/help")
    text = (await reviewer.expect("Bạn có thể làm gì ở đây"))["text"]
    assert "“🔎 Hàng chờ thẩm định”" in text and "“📈 Tiến độ”" in text
    assert "/tiep" not in text and "Gửi thông báo" not in text and "Xếp hạng" not in text

    coordinator = person(COORDINATOR, "Võ Thanh Sơn")
    await coordinator.send("/help")
    text = (await coordinator.expect("Bạn có thể làm gì ở đây"))["text"]
    assert "“📣 Gửi thông báo”" in text and "“⏰ Nhắc việc”" in text and "/tiep" not in text
    assert "Xuất dữ liệu" not in text

    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/help")
    text = (await admin.expect("Bạn có thể làm gì ở đây"))["text"]
    assert "“📦 Xuất dữ liệu”" in text and "“✉️ Mời người dùng”" in text and "/tiep" not in text


async def test_a_leader_typing_tiep_sees_the_units_progress_and_results_instead_of_a_refusal(demo_bot, person):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("/tiep")
    shown = await leader.expect("Lệnh /tiep dành cho đầu mối")
    assert "không có quyền" not in shown["text"]
    assert re.search(r"Đơn vị đã trả lời \d+/\d+ chỉ số, (chưa nộp|đã nộp \d+)\.", shown["text"])
    assert "⏳ Hạn chót: " in shown["text"]
    assert "theo dõi kết quả của đơn vị" in shown["text"]
    await leader.press("Xếp hạng")
    await leader.expect("Xếp hạng — Sở Nội vụ")
    await leader.send("làm tiếp")  # the same question in words
    await leader.expect("Lệnh /tiep dành cho đầu mối")


async def test_a_leader_asks_in_plain_words_with_typos_for_the_rank_and_what_if_an_item_earned_its_maximum(
    demo_bot, person, emulator
):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("don vi minh dung thu may")
    await leader.expect("Xếp hạng — Sở Nội vụ")
    await leader.send("xep hnag")
    await leader.expect("Xếp hạng — Sở Nội vụ")
    await leader.send("điểm của mình bao nhiêu")
    points = await leader.expect("Xếp hạng — Sở Nội vụ")
    assert "Điểm" in points["text"]

    await leader.send("đơn vị nào dẫn đầu")
    top = await leader.expect("Xếp hạng — Sở Nội vụ")
    assert "dẫn đầu" in top["text"]  # the ranking names the cohort's leader

    before = photos(emulator, LEADER)
    await leader.send("so voi nam ngoai")  # compared with last year: a chart with its caption
    for _ in range(60):
        if len(photos(emulator, LEADER)) > len(before):
            break
        await leader.quiet(0.5)
    [chart] = [m for m in photos(emulator, LEADER) if m not in before]
    assert "Sở Nội vụ" in chart["caption"] and str(date.today().year - 1) in chart["caption"]

    await leader.send("nếu 6.2 đạt tối đa thì sao")
    what_if = await leader.expect("🔮")
    assert "6.2" in what_if["text"] and "Sở Nội vụ" in what_if["text"]
    assert "không có quyền" not in what_if["text"] and "chưa hiểu" not in what_if["text"]
    await leader.send("neu 6,2 dat toi da thi sao")
    again = await leader.expect("🔮")
    assert again["text"] == what_if["text"]


async def test_unknown_input_tells_each_role_what_it_can_type_or_tap(demo_bot, person):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("/khongcolenhnay")
    shown = await leader.expect("Bot chưa hiểu tin nhắn này")
    assert "/tiep" not in shown["text"] and "“xếp hạng”" in shown["text"]
    assert "🏆 Xếp hạng" in buttons(shown) and not any("Tự đánh giá" in b for b in buttons(shown))
    await leader.send("cảm ơn")
    thanks = await leader.expect("Bot chưa hiểu tin nhắn này")
    assert "/tiep" not in thanks["text"]

    focal = person(FOCAL, "Nguyễn Thị Lan")
    await focal.send("/khongcolenhnay")
    shown = await focal.expect("Bot chưa hiểu tin nhắn này")
    assert "/tiep — tiếp tục tự đánh giá" in shown["text"] and "📝 Tự đánh giá" in buttons(shown)

    reviewer = person(REVIEWER, "Phạm Thu Hà")
    await reviewer.send("/khongcolenhnay")
    shown = await reviewer.expect("Bot chưa hiểu tin nhắn này")
    assert "/tiep" not in shown["text"] and "“xếp hạng”" not in shown["text"]
    assert "🔎 Hàng chờ thẩm định" in buttons(shown)

    coordinator = person(COORDINATOR, "Võ Thanh Sơn")
    await coordinator.send("/khongcolenhnay")
    shown = await coordinator.expect("Bot chưa hiểu tin nhắn này")
    assert "“tiến độ”" in shown["text"] and "/tiep" not in shown["text"]
    assert "📈 Tiến độ" in buttons(shown)
    await coordinator.send("xep hang")  # understood, but a coordinator has no unit of their own
    shown = await coordinator.expect("chỉ hiển thị cho lãnh đạo và đầu mối")
    assert "📈 Tiến độ" in buttons(shown) and "không có quyền" not in shown["text"]


async def test_the_menu_greets_the_person_by_name_with_the_days_left_and_the_units_progress(demo_bot, person):
    async with demo_bot.read_session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalars().one()
        unit = (await session.execute(select(Unit).where(Unit.code == "SNV"))).scalar_one()
        answered = len(
            (
                await session.execute(
                    select(Answer.id).where(
                        Answer.period_id == period.id, Answer.unit_id == unit.id, Answer.raw.is_not(None)
                    )
                )
            ).all()
        )
    days = (period.deadline - local_date(utcnow())).days
    assert period.deadline == date.today() + timedelta(days=7)

    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("/menu")
    menu = (await leader.expect("Menu chính"))["text"]
    assert "Xin chào Lê Minh Tuấn!" in menu
    assert f"⏳ Hạn chót: {vn_date(period.deadline)} — còn {days} ngày" in menu
    assert re.search(rf"Đơn vị đã trả lời {answered}/\d+ chỉ số, (chưa nộp|đã nộp \d+)\.", menu)

    coordinator = person(COORDINATOR, "Võ Thanh Sơn")
    await coordinator.send("/menu")
    menu = (await coordinator.expect("Menu chính"))["text"]
    assert "Xin chào Võ Thanh Sơn!" in menu and re.search(r"📈 \d+/\d+ đơn vị đã nộp\.", menu)
    assert "Đơn vị đã trả lời" not in menu

    # a newcomer whose Telegram name says nothing is greeted by the name the invitation was issued for
    [issued] = await create_invites(demo_bot, SYSTEM, "focal_point", "SNV", now=utcnow())
    async with demo_bot.session() as session, session.begin():
        await session.execute(
            update(Invite).where(Invite.code_hash == hash_code(issued.code)).values(full_name="Trần Thị Bích")
        )
    newcomer = person(799999, "User 799999")
    await newcomer.send(f"/start {issued.code}")
    welcome = (await newcomer.expect("Menu chính"))["text"]
    assert "Xin chào Trần Thị Bích!" in welcome and "User 799999" not in welcome
    assert f"Hạn chót: {vn_date(period.deadline)}" in welcome
