"""Through the emulator, button data forged for the new flows (approval, appraisal by domain,
council, objections, external values, what-if) is refused with a Vietnamese sentence and changes
nothing; a second tap says it is done; a replayed decision applies once; the coordinator's menu
button to assign appraisers works."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.render.actions import Action
from bot.services.assessment.approval import approved_units
from storage.models import Answer, Period, Review, Unit, UnitApproval

FOCAL, LEADER, APPRAISER, COORDINATOR, LEADER_WAITING = 700001, 700004, 700006, 700007, 700010
NOT_ALLOWED = "Bạn không có quyền thực hiện thao tác này."
STALE = "Nút này không còn hiệu lực"


async def facts(db) -> dict:
    async with db.read_session() as session:
        period = (await session.execute(select(Period.id).where(Period.state == "open"))).scalar_one()
        units = dict((await session.execute(select(Unit.code, Unit.id))).all())
        approved = await approved_units(session, period)

        async def first(unit_ids, status):
            return (
                await session.execute(
                    select(Answer.id)
                    .where(
                        Answer.period_id == period,
                        Answer.unit_id.in_(unit_ids),
                        Answer.status == status,
                        Answer.sub_index_code.in_(("1.1", "1.2", "1.3", "2.1", "3.1")),
                    )
                    .order_by(Answer.id)
                    .limit(1)
                )
            ).scalar_one()

        return {
            "period": period,
            "units": units,
            "waiting_answer": await first([units["P-CAOLANH"]], "submitted"),
            "draft_answer": await first([units["SNV"]], "draft"),
            "approved_answer": await first(sorted(approved), "submitted"),
        }


async def count(db, model, *where) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def opened(someone) -> int:
    """The id of the bot's newest message in the person's chat (forged data is pressed on it)."""
    await someone.send("/menu")
    await someone.expect("Menu chính")
    return max(m["message_id"] for m in someone.messages.values() if m.get("from", {}).get("is_bot"))


async def test_forged_buttons_of_the_new_flows_are_refused_with_a_sentence_and_change_nothing(demo_bot, person):
    known = await facts(demo_bot)
    period, units = known["period"], known["units"]
    approvals, reviews = await count(demo_bot, UnitApproval), await count(demo_bot, Review)

    tuan = person(LEADER, "Lê Minh Tuấn")  # leader of SNV
    on = await opened(tuan)
    await tuan.press_data(on, Action("apa", units["X-MYAN"], period).pack())  # another unit's approval
    await tuan.expect(NOT_ALLOWED)
    await tuan.press_data(on, "apa|x|1||")  # not the shape the bot sends
    await tuan.expect(STALE)
    await tuan.press_data(on, "wif|zz")
    await tuan.expect(STALE)
    await tuan.press_data(on, Action("cnl", 0, period, arg="ok").pack())  # the council's close
    await tuan.expect(NOT_ALLOWED)
    await tuan.press_data(on, Action("obu", arg="1").pack())  # the council's uphold
    await tuan.expect(NOT_ALLOWED)
    await tuan.press_data(on, Action("phx", 0, period, arg="appraisal").pack())  # a phase move
    await tuan.expect(NOT_ALLOWED)

    lan = person(FOCAL, "Nguyễn Thị Lan")
    on = await opened(lan)
    await lan.press_data(on, Action("apa", units["SNV"], period).pack())  # her own leader's button
    await lan.expect(NOT_ALLOWED)
    await lan.press_data(on, Action("obo", units["STP"], period, "1.1").pack())  # another unit's objection
    await lan.expect(NOT_ALLOWED)

    ha = person(APPRAISER, "Phạm Thu Hà")  # indices 1–3
    on = await opened(ha)
    await ha.press_data(on, Action("rvf", arg=str(known["waiting_answer"])).pack())  # files before approval
    await ha.expect("chưa được lãnh đạo đơn vị phê duyệt")
    await ha.press_data(on, Action("rvo", arg=str(known["draft_answer"])).pack())  # a draft by its id
    await ha.expect("chưa được đơn vị nộp")
    await ha.press_data(on, Action("rva", arg="abc").pack())
    await ha.expect(STALE)
    await ha.press_data(on, Action("xvl", 0, period, "6.3").pack())  # external values are the coordinator's
    await ha.expect(NOT_ALLOWED)
    assert not [e for e in await ha.quiet(1.0) if e["kind"] == "document"]

    son = person(COORDINATOR, "Võ Thanh Sơn")
    on = await opened(son)
    await son.press_data(on, Action("xvl", 0, period, "6.3", "pX").pack())  # a page that is not a number
    await son.expect(STALE)
    await son.press_data(on, Action("xvl", 0, period, "6.3", "u999999").pack())  # a unit the item does not list
    await son.expect(STALE)
    await son.press_data(on, Action("xvl", 0, period, "6.3", "p999").pack())  # a page past the end: the last
    await son.expect("6.3")
    await son.press_data(on, Action("asg", 0, period, arg="pX").pack())
    await son.expect(STALE)
    await son.press_data(on, Action("ast", 0, period, "1", f"p{APPRAISER}").pack())  # ticking, nothing open
    await son.expect(STALE)
    await son.press_data(on, Action("phx", 0, 987654, arg="appraisal").pack())  # a period that is not there
    await son.expect("987654")
    assert await count(demo_bot, Answer, Answer.sub_index_code == "6.3", Answer.raw.is_not(None)) == 0

    assert await count(demo_bot, UnitApproval) == approvals and await count(demo_bot, Review) == reviews
    async with demo_bot.read_session() as session:
        assert (await session.get(Period, period)).state == "open"


async def test_a_second_tap_says_it_is_done_and_a_replayed_decision_applies_once(demo_bot, person):
    known = await facts(demo_bot)
    period, caolanh = known["period"], known["units"]["P-CAOLANH"]

    hai = person(LEADER_WAITING, "Đỗ Thanh Hải")
    on = await opened(hai)
    approve = Action("apa", caolanh, period).pack()
    await hai.press_data(on, approve)
    await hai.expect("Đã phê duyệt")
    await hai.press_data(on, approve)  # the same button again
    await hai.expect("Không có hồ sơ tự đánh giá nào chờ phê duyệt: hồ sơ đang ở trạng thái lãnh đạo đã phê duyệt")
    assert await count(demo_bot, UnitApproval, UnitApproval.unit_id == caolanh, UnitApproval.action == "approve") == 1

    ha = person(APPRAISER, "Phạm Thu Hà")
    on = await opened(ha)
    answer = str(known["approved_answer"])
    await ha.press_data(on, Action("rvs", arg=answer).pack())
    await ha.expect("Nhập nội dung đề nghị bổ sung")
    sent = await ha.send("Đề nghị bổ sung quyết định ban hành kế hoạch")
    await ha.expect("Đã ghi nhận kết quả thẩm định")
    await ha.quiet(2.0)  # the next item of the queue follows the receipt
    replay = {"update_id": sent["update_id"], "message": sent["message"], "redeliver": True}
    async with ha.http.post(f"{ha.base}/sandbox/api/updates", json=replay) as response:
        response.raise_for_status()
    assert [e for e in await ha.quiet(2.0) if e["kind"] == "message"] == []
    await ha.press_data(on, Action("rva", arg=answer).pack())  # accept after the send-back
    await ha.expect("Chỉ số này đã được thẩm định")
    assert await count(demo_bot, Review, Review.answer_id == known["approved_answer"]) == 1


async def test_the_coordinators_menu_button_to_assign_appraisers_opens_the_list(demo_bot, person):
    son = person(COORDINATOR, "Võ Thanh Sơn")
    await son.send("/menu")
    await son.expect("Menu chính")
    await son.press("Phân công thẩm định")
    shown = await son.expect("Phân công thẩm định</b>")
    assert "Phạm Thu Hà" in shown["text"] and "Bùi Ngọc Yến" in shown["text"]
