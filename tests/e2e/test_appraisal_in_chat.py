"""Appraisal by domain in the chat, through the emulator: two appraisers each see only the items of
their indices; a unit's decisions reach its focal point as one grouped message whose button opens
the item sent back."""

from __future__ import annotations

import contextlib
import re

from sqlalchemy import select

from bot.services.access import SYSTEM
from bot.services.appraisal import domain
from bot.services.errors import ServiceError
from storage.models import Answer, AppraiserScope, Membership, Period, Person, Unit
from storage.types import utcnow

APPRAISER_A, APPRAISER_B = 700006, 700009  # the demo's appraisers of indices 1–3 and 4–6
DOMAINS = {APPRAISER_A: ("1", "2", "3"), APPRAISER_B: ("4", "5", "6")}
ITEM = re.compile(r"· (\d+)\.(\d+) ")


async def given_domains(db) -> int:
    """Each appraiser's domain exactly as DOMAINS says (whatever the demo assigned)."""
    async with db.read_session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalars().one()
    for telegram_id, codes in DOMAINS.items():
        with contextlib.suppress(ServiceError):  # nothing assigned yet
            await domain.unassign(db, SYSTEM, str(telegram_id), period.id)
        await domain.assign(db, SYSTEM, str(telegram_id), period.id, codes, now=utcnow())
    return period.id


async def open_queue(appraiser) -> dict:
    await appraiser.send("/menu")
    await appraiser.expect("Menu chính")
    await appraiser.press("Hàng chờ thẩm định")
    return await appraiser.expect("Thẩm định</b>")


async def test_two_appraisers_with_different_domains_each_see_only_their_items(demo_bot, person):
    await given_domains(demo_bot)
    for telegram_id, name in ((APPRAISER_A, "Phạm Thu Hà"), (APPRAISER_B, "Bùi Ngọc Yến")):
        appraiser = person(telegram_id, name)
        start = await open_queue(appraiser)
        assert f"chỉ số {', '.join(DOMAINS[telegram_id])}" in start["text"]
        await appraiser.press("Thẩm định lần lượt")
        shown = []
        for _ in range(4):
            screen = await appraiser.expect("❓")
            index, sub = ITEM.search(screen["text"]).groups()
            shown.append(f"{index}.{sub}")
            assert index in DOMAINS[telegram_id], f"{name} was shown item {index}.{sub}"
            await appraiser.press("Bỏ qua")
        assert len(shown) == 4 and len(set(shown)) > 1  # "⏭" moves on: not the same item again and again


async def test_a_send_back_reaches_the_focal_point_as_one_grouped_message_with_a_button_to_the_item(demo_bot, person):
    await given_domains(demo_bot)
    appraiser = person(APPRAISER_A, "Phạm Thu Hà")
    await open_queue(appraiser)
    message_id, first_unit = appraiser.button("(")  # the unit with the most items waiting: "Sở … (12)"
    await appraiser.press_data(message_id, first_unit)
    unit_screen = await appraiser.expect("🏢 <b>")
    unit_name = re.search(r"🏢 <b>(.+?)</b>", unit_screen["text"]).group(1)
    await appraiser.press("🔎 ")
    item = await appraiser.expect("❓")
    code = ".".join(ITEM.search(item["text"]).groups())
    await appraiser.press("Đề nghị bổ sung")
    await appraiser.expect("Nhập nội dung đề nghị bổ sung")
    await appraiser.send("Đề nghị bổ sung bản quét có chữ ký.")
    await appraiser.expect("Đã ghi nhận kết quả thẩm định")
    after = await appraiser.expect(unit_name)
    if "❓" in after["text"]:  # the unit's next item: a second decision of the same round
        await appraiser.press("✅ Chấp nhận")
        after = await appraiser.expect(unit_name)
    if "Gửi kết quả cho đơn vị" not in str(after.get("reply_markup")):
        await appraiser.press("Các chỉ số của đơn vị")
        await appraiser.expect("🏢 <b>")
    await appraiser.press("Gửi kết quả cho đơn vị")
    await appraiser.expect("Đã gửi kết quả")

    async with demo_bot.read_session() as session:
        unit_id = (await session.execute(select(Unit.id).where(Unit.name == unit_name))).scalar_one()
        status = (
            await session.execute(select(Answer.status).where(Answer.unit_id == unit_id, Answer.sub_index_code == code))
        ).scalar_one()
        focal_ids = [
            t
            for (t,) in await session.execute(
                select(Person.telegram_id)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.unit_id == unit_id, Membership.role == "focal_point")
            )
        ]
    assert status == "needs_supplement"
    focal = person(focal_ids[0])
    notice = await focal.expect("Kết quả thẩm định", timeout=30)
    assert "“Đề nghị bổ sung bản quét có chữ ký.”" in notice["text"] and unit_name in notice["text"]
    labels = [b["text"] for row in notice["reply_markup"]["inline_keyboard"] for b in row]
    assert f"📝 Mở chỉ số {code}" in labels
    others = [e for e in await focal.quiet(3) if "Kết quả thẩm định" in (e["message"].get("text") or "")]
    assert others == []  # one message for the round, not one per decision
    await focal.press(f"Mở chỉ số {code}")
    opened = await focal.expect(f"{code} ")
    assert "Đề nghị bổ sung của bộ phận thẩm định" in opened["text"]


async def test_the_chair_follows_the_appraisal_and_assigns_an_appraisers_indices_by_ticking_them(demo_bot, person):
    period_id = await given_domains(demo_bot)
    chair = person(700007, "Võ Thanh Sơn")
    await chair.send("/menu")
    await chair.expect("Menu chính")
    await chair.press("Hội đồng thẩm định")
    council = await chair.expect("Hội đồng thẩm định</b>")
    assert "Theo thẩm định viên" in council["text"] and "• Bùi Ngọc Yến (chỉ số 4, 5, 6): chờ" in council["text"]
    assert "Theo đơn vị" in council["text"]
    await chair.press("Phân công thẩm định")
    await chair.expect("Phân công thẩm định</b>")
    await chair.press("Bùi Ngọc Yến")
    await chair.expect("Đánh dấu cả chỉ số")
    await chair.press("☑️ 4.")
    await chair.expect_button("⬜ 4.")
    await chair.press("Lưu")
    saved = await chair.expect("✅ Đã lưu: Bùi Ngọc Yến thẩm định chỉ số 5, 6.")
    assert "• Bùi Ngọc Yến: chỉ số 5, 6" in saved["text"]
    async with demo_bot.read_session() as session:
        codes = (
            await session.execute(
                select(AppraiserScope.scope_code)
                .join(Person, Person.id == AppraiserScope.person_id)
                .where(Person.telegram_id == APPRAISER_B, AppraiserScope.period_id == period_id)
            )
        ).scalars()
        assert sorted(codes) == ["5", "6"]
