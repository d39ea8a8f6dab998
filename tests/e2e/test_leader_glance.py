"""A leader at a glance, through the emulator: what-if on an item by buttons (and from the weakest
items), this year against the previous period as a photo with a caption, and the charts' captions.
The figures the chat shows are checked against the use case computed on the same database."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from bot.campaign_calendar import local_date
from bot.render.numbers import vn_date, vn_number
from bot.services.access import load_actor
from bot.services.results import leader as results
from storage.types import utcnow

LEADER = 700004  # Lê Minh Tuấn, leader of Sở Nội vụ


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


async def photos_with_caption(leader, needle: str, timeout: float = 30) -> dict:
    """The bot's photo whose caption contains `needle` (charts are drawn on worker threads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in leader.messages.values():
            if message.get("photo") and needle in (message.get("caption") or ""):
                return message
        await leader.quiet(0.5)
    raise AssertionError(f"no photo with {needle!r}")


def today_or_yesterday() -> tuple[str, str]:
    """The campaign's date as the bot writes it (the test may straddle midnight)."""
    now = utcnow()
    return vn_date(local_date(now)), vn_date(local_date(now - timedelta(minutes=5)))


async def test_a_leader_picks_an_index_then_an_item_and_sees_points_value_and_rank_if_it_earned_its_maximum(
    demo_bot, person
):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("/menu")
    await leader.expect_button("Xếp hạng")
    await leader.press("Xếp hạng")
    await leader.expect("Xếp hạng — Sở Nội vụ")
    taps = 0
    await leader.press("🔮 Nếu đạt tối đa")
    taps += 1
    choices = await leader.expect("Nếu đạt tối đa — Sở Nội vụ")
    assert "Mất nhiều điểm nhất:" in choices["text"] and "Hoặc chọn theo chỉ số chính:" in choices["text"]
    await leader.press("6. Hoạt động chính quyền số")
    taps += 1
    await leader.expect("Chọn chỉ số thành phần:")
    await leader.press("6.2 ·")
    taps += 1
    shown = plain((await leader.expect("Nếu 6.2 đạt tối đa — Sở Nội vụ"))["text"])
    assert taps == 3

    expected = await results.what_if(demo_bot, await load_actor(demo_bot, LEADER), None, None, "6.2")
    now = expected.standing.entry.result
    assert expected.outcome == "gain"
    assert f"Tổng điểm: {vn_number(now.points)} → {vn_number(expected.points_after)}/200" in shown
    assert f"Giá trị DTI: {vn_number(now.value, 4)} → {vn_number(expected.value_after, 4)}" in shown
    assert f"Hạng: {expected.standing.entry.rank} → {expected.rank_after}/" in shown
    assert "Ước tính khi kết quả các đơn vị khác giữ nguyên" in shown

    await leader.press("🔮 Chỉ số khác")  # back to the items of index 6
    await leader.expect("Chọn chỉ số thành phần:")


async def test_a_leader_goes_from_the_weakest_items_to_the_what_if_in_two_taps(demo_bot, person):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("chỉ số nào yếu nhất")
    await leader.expect("Chỉ số yếu — Sở Nội vụ")
    await leader.press("🔮 Nếu đạt tối đa")
    await leader.expect("Mất nhiều điểm nhất:")
    choices = await results.what_if_menu(demo_bot, await load_actor(demo_bot, LEADER))
    first = choices.weakest[0]
    await leader.press(f"🔮 {first.code} (+")
    shown = plain((await leader.expect(f"Nếu {first.code} đạt tối đa — Sở Nội vụ"))["text"])
    assert "Tổng điểm:" in shown and "Hạng:" in shown


async def test_the_year_over_year_chart_arrives_as_a_photo_with_a_caption_and_the_results_buttons(
    demo_bot, person, emulator
):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("hạng của tôi?")
    await leader.expect("Xếp hạng — Sở Nội vụ")
    await leader.press("📈 So với năm trước")
    photo = await photos_with_caption(leader, "So với năm")
    caption = photo["caption"]
    view = await results.year_over_year(demo_bot, await load_actor(demo_bot, LEADER))
    before, now = view.before, view.standing.entry
    year = view.standing.previous_title
    assert f"So với năm {year} — Sở Nội vụ" in caption
    assert f"hạng {before.rank} → {now.rank}" in caption
    assert f"Năm {year}: {vn_number(before.result.points)} điểm" in caption
    assert any(f"Số liệu ngày {day}." in caption for day in today_or_yesterday())
    png = emulator.state.files[photo["photo"][-1]["file_id"]].data
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    buttons = [b["text"] for row in photo["reply_markup"]["inline_keyboard"] for b in row]
    assert "📊 Biểu đồ" in buttons and "🔮 Nếu đạt tối đa" in buttons


async def test_the_charts_arrive_as_two_photos_each_with_a_caption(demo_bot, person):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("hạng của tôi?")
    await leader.expect("Xếp hạng — Sở Nội vụ")
    await leader.press("📊 Biểu đồ")
    by_index = await photos_with_caption(leader, "Điểm theo chỉ số chính — Sở Nội vụ")
    ranking = await photos_with_caption(leader, "Xếp hạng giá trị DTI — khối sở, ban, ngành")
    assert any(f"Số liệu ngày {day}." in by_index["caption"] for day in today_or_yesterday())
    assert "10 đơn vị dẫn đầu trong 30 đơn vị" in ranking["caption"]
    assert "Sở Nội vụ" in ranking["caption"]


async def test_the_plain_word_what_if_and_year_questions_reach_the_same_answers(demo_bot, person):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("nếu 6,2 đạt tối đa thì sao")
    shown = plain((await leader.expect("Nếu 6.2 đạt tối đa — Sở Nội vụ"))["text"])
    assert "Tổng điểm:" in shown and "Hạng:" in shown
    await leader.send("so với năm ngoái thế nào")
    caption = (await photos_with_caption(leader, "So với năm"))["caption"]
    assert "— Sở Nội vụ" in caption and " → " in caption
