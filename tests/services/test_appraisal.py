"""Appraisal by domain: each appraiser's queue holds their indices (and cohort) in units whose leader
approved; it can be worked unit by unit, skipped, batch-accepted where the evidence is complete;
every decision reaches the unit grouped, one message per round; a correction's reason stays on the
item; no decision once results are provisional or final."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.render import actions
from bot.render.appraisal.council import appraisers_screen, council_screen, editing_screen
from bot.render.appraisal.notices import round_notice
from bot.render.appraisal.review import queue_start, review_screen, unit_screen
from bot.render.assessment.cards import item_screen
from bot.render.errors import service_error
from bot.services.access import SYSTEM, NotAllowed, load_actor
from bot.services.admin.invites import create_invites, redeem_invite
from bot.services.admin.units_import import import_units
from bot.services.appraisal import council, domain, notices, review
from bot.services.assessment import flow
from bot.services.campaign import periods
from bot.services.campaign.periods import open_period
from bot.services.errors import ServiceError
from storage.models import Answer, AppraiserScope, Evidence, Outbox, Period, Review, Unit, UnitApproval
from storage.types import utcnow

APPRAISER_A, APPRAISER_B, UNASSIGNED, CHAIR = 800101, 800102, 800104, 800103
FOCAL = {"SNV": 800111, "STP": 800112, "X-A": 800113}
YES = {"yes": True}
# (unit, item, points claimed, pieces of evidence, explanation); 1.2, 2.1, 3.2 and 5.2 are yes/no
# items whose "Có" needs evidence.
ANSWERS = [
    ("SNV", "1.2", 6, 1, ""),
    ("SNV", "2.1", 6, 1, ""),
    ("SNV", "3.2", 10, 1, ""),
    ("SNV", "5.2", 10, 0, ""),
    ("STP", "1.2", 6, 1, ""),  # STP's leader has not approved: not in any queue
    ("X-A", "1.2", 6, 0, "Văn bản đang trình ký"),
    ("X-A", "2.1", 6, 1, ""),
]


@pytest.fixture
async def campaign(db):
    now = utcnow()
    await import_units(
        db,
        SYSTEM,
        "code,name,cohort\nSNV,Sở Nội vụ,so-nganh\nSTP,Sở Tư pháp,so-nganh\nX-A,Xã An Hòa,xa-phuong\n".encode(),
        "units.csv",
        now=now,
    )
    period = await open_period(db, SYSTEM, "demo-tinh-2026", 2026, date(2026, 11, 30))
    people = [
        (APPRAISER_A, "Phạm Thu Hà", "reviewer", None),
        (APPRAISER_B, "Bùi Ngọc Yến", "reviewer", None),
        (UNASSIGNED, "Hồ Văn Nam", "reviewer", None),
        (CHAIR, "Võ Thanh Sơn", "coordinator", None),
        *[(tid, f"Đầu mối {code}", "focal_point", code) for code, tid in FOCAL.items()],
    ]
    for telegram_id, name, role, unit in people:
        [invite] = await create_invites(db, SYSTEM, role, unit, now=now)
        await redeem_invite(db, invite.code, telegram_id, name, now=now)
    async with db.session() as session, session.begin():
        units = {u.code: u.id for u in (await session.execute(select(Unit))).scalars()}
        for n, (unit, code, points, pieces, explanation) in enumerate(ANSWERS):
            answer = Answer(
                period_id=period.id,
                unit_id=units[unit],
                sub_index_code=code,
                raw=YES,
                self_points=Decimal(points),
                status="submitted",
                submitted_at=now - timedelta(hours=len(ANSWERS) - n),
                revision=2,
                explanation=explanation,
            )
            session.add(answer)
            await session.flush()
            session.add_all(
                Evidence(answer_id=answer.id, kind="link", url=f"https://so.gov.vn/{unit}/{code}/{k}")
                for k in range(pieces)
            )
        for unit, action in (("SNV", "approve"), ("STP", "submit"), ("X-A", "approve")):
            session.add(UnitApproval(period_id=period.id, unit_id=units[unit], action=action))
    # A: index 1 everywhere and 2.1 in the communes only; B: indices 3 and 5.
    await domain.assign(db, SYSTEM, str(APPRAISER_A), period.id, ["1"], now=now)
    await domain.assign(db, SYSTEM, "Phạm Thu Hà", period.id, ["2.1"], "xa-phuong", now=now)
    await domain.assign(db, SYSTEM, str(APPRAISER_B), period.id, ["3", "5"], now=now)
    return period.id, units


async def actor(db, telegram_id):
    return await load_actor(db, telegram_id)


async def answer_id(db, units, unit, code) -> int:
    async with db.read_session() as session:
        return (
            await session.execute(select(Answer.id).where(Answer.unit_id == units[unit], Answer.sub_index_code == code))
        ).scalar_one()


async def walk(db, who, unit_id=None) -> list[tuple[int, str]]:
    """Every item of the queue, by skipping: (unit id, item code) in the order shown."""
    seen = []
    shown = await review.next_in_queue(db, who, unit_id)
    while isinstance(shown, review.ReviewItem):
        seen.append((shown.unit_id, shown.sub.code))
        shown = await review.skip(db, who, shown.answer_id, unit_id)
    return seen


async def test_an_appraisers_queue_holds_only_their_domain_and_cohort_in_units_their_leader_approved(db, campaign):
    _period, units = campaign
    a, b = await actor(db, APPRAISER_A), await actor(db, APPRAISER_B)
    assert sorted(await walk(db, a)) == sorted([(units["SNV"], "1.2"), (units["X-A"], "1.2"), (units["X-A"], "2.1")])
    assert sorted(await walk(db, b)) == sorted([(units["SNV"], "3.2"), (units["SNV"], "5.2")])
    overview = await review.queue_overview(db, a)
    assert overview.waiting == 3 and [(u.unit_name, u.waiting) for u in overview.units] == [
        ("Xã An Hòa", 2),
        ("Sở Nội vụ", 1),
    ]
    assert "chỉ số 1; 2.1 (khối xã, phường)" in queue_start(overview).text  # the cohort by its name

    nobody = await review.queue_overview(db, await actor(db, UNASSIGNED))
    assert not nobody.assigned and "Bạn chưa được phân công" in queue_start(nobody).text
    assert isinstance(await review.next_in_queue(db, await actor(db, UNASSIGNED)), review.QueueEnd)

    with pytest.raises(ServiceError) as refused:  # B's item, and SNV's 2.1 (a department) is nobody's
        await review.decide(db, a, await answer_id(db, units, "SNV", "3.2"), "accept", now=utcnow())
    assert refused.value.reason == "not_your_domain" and "không thuộc lĩnh vực" in service_error(refused.value)
    chair = await actor(db, CHAIR)
    with pytest.raises(ServiceError) as refused:  # the chair sees every domain, but STP was not approved
        await review.decide(db, chair, await answer_id(db, units, "STP", "1.2"), "accept", now=utcnow())
    assert refused.value.reason == "not_approved_yet"
    view = await council.council_view(db, chair)
    assert (view.waiting, view.uncovered) == (6, 1)  # SNV's 2.1: a department, A covers 2.1 in communes only
    assert {(p.full_name, p.waiting) for p in view.appraisers} == {
        ("Phạm Thu Hà", 3),
        ("Bùi Ngọc Yến", 2),
        ("Hồ Văn Nam", 0),
    }


async def test_the_queue_filters_by_unit_and_shows_the_units_items_together(db, campaign):
    _period, units = campaign
    a = await actor(db, APPRAISER_A)
    assert await walk(db, a, units["X-A"]) == [(units["X-A"], "1.2"), (units["X-A"], "2.1")]
    view = await review.unit_review(db, a, units["X-A"])
    assert [(r.sub.code, r.evidence, r.complete) for r in view.rows] == [("1.2", 0, False), ("2.1", 1, True)]
    text = unit_screen(view).text
    assert "Xã An Hòa" in text and "Văn bản đang trình ký" in text
    # ✅ means accepted: the evidence has its own marks; items are "chỉ số" throughout, never "mục"
    assert "6 điểm · ⚠️ thiếu hồ sơ\n" in text and "6 điểm · 📎 đủ hồ sơ (1 tài liệu)" in text
    assert "✅" not in text and "Sở Nội vụ" not in text
    labels = [b.text for row in unit_screen(view).rows for b in row]
    assert "✅ Chấp nhận 1 chỉ số đủ hồ sơ" in labels and "🔎 1.2" in labels
    assert not any(" mục" in t for t in [text, *labels])
    complete = await review.open_review(db, a, view.rows[1].answer_id, units["X-A"])
    assert "📎 Đủ hồ sơ." in review_screen(complete).text and "✅ Đủ hồ sơ" not in review_screen(complete).text


async def test_after_a_decision_the_next_item_is_the_units_next_one_in_the_frameworks_order(db, campaign):
    _period, units = campaign
    chair = await actor(db, CHAIR)
    async with db.session() as session, session.begin():  # SNV's 1.2 came back last (supplemented)
        (await session.get(Answer, await answer_id(db, units, "SNV", "1.2"))).submitted_at = utcnow()
    snv, xa = units["SNV"], units["X-A"]
    assert await walk(db, chair, snv) == [(snv, "1.2"), (snv, "2.1"), (snv, "3.2"), (snv, "5.2")]
    # the whole queue: the unit that has waited longest first, each unit's items in the framework's order
    await review.review_again(db, chair)
    assert await walk(db, chair) == [(snv, "1.2"), (snv, "2.1"), (snv, "3.2"), (snv, "5.2"), (xa, "1.2"), (xa, "2.1")]
    await review.review_again(db, chair, snv)
    # 2.1 opened from the unit's list and decided: next is 3.2, the one after it, not 1.2, the first waiting
    shown = await review.decide(
        db, chair, await answer_id(db, units, "SNV", "2.1"), "accept", now=utcnow(), unit_id=snv
    )
    assert shown.sub.code == "3.2"
    shown = await review.skip(db, chair, shown.answer_id, snv)  # ⏭ moves on in the same order
    assert shown.sub.code == "5.2"
    shown = await review.decide(
        db, chair, shown.answer_id, "needs_supplement", comment="Bổ sung quyết định", now=utcnow(), unit_id=snv
    )
    assert shown.sub.code == "1.2"  # the unit's last one decided: back to the first still waiting


async def test_the_council_leaves_out_counts_of_zero(db, campaign):
    _period, units = campaign
    chair = await actor(db, CHAIR)
    text = council_screen(await council.council_view(db, chair)).text
    assert "• Sở Nội vụ: chờ 4\n" in text and "• Hồ Văn Nam (chưa được phân công): chưa có chỉ số nào" in text
    people_and_units = text.split("Theo thẩm định viên", 1)[1]
    assert " 0" not in people_and_units and "(đề nghị bổ sung" not in people_and_units
    await review.decide(
        db, chair, await answer_id(db, units, "X-A", "1.2"), "needs_supplement", comment="Bổ sung", now=utcnow()
    )
    await review.decide(db, chair, await answer_id(db, units, "X-A", "2.1"), "accept", now=utcnow())
    text = council_screen(await council.council_view(db, chair)).text
    assert "• Xã An Hòa: đã thẩm định 2 (đề nghị bổ sung 1)" in text and "đề nghị bổ sung 0" not in text


async def test_skipping_moves_on_and_the_skipped_items_come_back_when_asked(db, campaign):
    a = await actor(db, APPRAISER_A)
    first = await review.next_in_queue(db, a)
    again = await review.next_in_queue(db, a)
    assert again.answer_id == first.answer_id  # not skipped: still the first
    second = await review.skip(db, a, first.answer_id)
    assert second.answer_id != first.answer_id and second.skipped == 1
    third = await review.skip(db, a, second.answer_id)
    end = await review.skip(db, a, third.answer_id)
    assert isinstance(end, review.QueueEnd) and end.skipped == 3
    back = await review.review_again(db, a)
    assert back.answer_id == first.answer_id
    await review.skip(db, a, first.answer_id)
    await review.queue_overview(db, a)  # starting the queue from the menu brings them back too
    assert (await review.next_in_queue(db, a)).answer_id == first.answer_id


async def test_a_batch_accept_takes_only_the_items_with_complete_evidence_that_the_question_listed(db, campaign):
    _period, units = campaign
    b = await actor(db, APPRAISER_B)
    question = await review.ask_batch(db, b, units["SNV"])
    assert [r.sub.code for r in question.complete] == ["3.2"]
    late = await answer_id(db, units, "SNV", "5.2")
    async with db.session() as session, session.begin():  # 5.2 gets its evidence after the question
        session.add(Evidence(answer_id=late, kind="link", url="https://x.vn/5"))
    accepted, view = await review.accept_batch(db, b, units["SNV"], now=utcnow())
    assert accepted == 1 and [r.sub.code for r in view.rows] == ["5.2"]
    async with db.read_session() as session:
        done = await session.get(Answer, await answer_id(db, units, "SNV", "3.2"))
        left = await session.get(Answer, await answer_id(db, units, "SNV", "5.2"))
        reviews = (await session.execute(select(Review))).scalars().all()
    assert (done.status, done.verified_points) == ("accepted", Decimal(10)) and left.status == "submitted"
    assert [(r.answer_id, r.decision, r.notified_at) for r in reviews] == [(done.id, "accept", None)]
    with pytest.raises(ServiceError):  # the confirmation is used once
        await review.accept_batch(db, b, units["SNV"], now=utcnow())


async def outbox(db) -> list[Outbox]:
    async with db.read_session() as session:
        return (
            (await session.execute(select(Outbox).where(Outbox.kind == "appraisal").order_by(Outbox.id)))
            .scalars()
            .all()
        )


async def test_a_units_decisions_reach_it_as_one_message_per_round_and_planning_again_sends_nothing_more(db, campaign):
    period_id, units = campaign
    a, b = await actor(db, APPRAISER_A), await actor(db, APPRAISER_B)
    now = utcnow()
    await review.decide(db, a, await answer_id(db, units, "SNV", "1.2"), "accept", now=now)
    await review.decide(
        db, b, await answer_id(db, units, "SNV", "3.2"), "correct", Decimal(4), "Văn bản chưa ký", now=now
    )
    sent_back = await answer_id(db, units, "SNV", "5.2")
    await review.decide(db, b, sent_back, "needs_supplement", comment="Bổ sung ảnh chụp màn hình", now=now)

    assert await notices.plan_notices(db, round_notice, now=now + timedelta(minutes=5)) == 0  # still appraising
    assert await outbox(db) == []
    later = now + timedelta(minutes=31)
    assert await notices.plan_notices(db, round_notice, now=later) == 1
    assert await notices.plan_notices(db, round_notice, now=later) == 0  # idempotent
    assert await notices.plan_notices(db, round_notice, now=later + timedelta(hours=1)) == 0
    [message] = await outbox(db)
    text = message.payload["text"]
    assert message.chat_id == FOCAL["SNV"] and "Kết quả thẩm định" in text and "Sở Nội vụ" in text
    assert "Đạt (1): 1.2" in text
    assert "Điều chỉnh điểm (1):\n• <b>3.2</b> " in text and "10 → 4 điểm. Lý do: Văn bản chưa ký" in text
    assert "“Bổ sung ảnh chụp màn hình”" in text
    buttons = [b["action"] for row in message.payload["rows"] for b in row]
    assert f"nav|{units['SNV']}|{period_id}|5.2|open" in buttons
    async with db.read_session() as session:
        unsent = (
            await session.execute(select(func.count()).select_from(Review).where(Review.notified_at.is_(None)))
        ).scalar_one()
    assert unsent == 0

    # the next round of the same unit is a new message; another unit gets its own, at once when asked
    await review.decide(db, a, await answer_id(db, units, "X-A", "2.1"), "accept", now=later)
    sent = await notices.send_to_unit(db, a, units["X-A"], round_notice, now=later)
    assert (sent.decisions, sent.recipients) == (1, 1)
    with pytest.raises(ServiceError) as nothing:
        await notices.send_to_unit(db, a, units["X-A"], round_notice, now=later)
    assert nothing.value.reason == "nothing_to_send"
    assert [m.chat_id for m in await outbox(db)] == [FOCAL["SNV"], FOCAL["X-A"]]


async def test_a_correction_and_its_reason_stay_on_the_units_item_card(db, campaign):
    period_id, units = campaign
    b = await actor(db, APPRAISER_B)
    item = await review.start_input(db, b, await answer_id(db, units, "SNV", "3.2"), "correct")
    assert "Nhập số điểm" in review_screen(item, "points").text
    assert (await review.typed_input(db, b, "4", now=utcnow()))[0] == "ask_reason"
    await review.typed_input(db, b, "Văn bản chưa có chữ ký của lãnh đạo", now=utcnow())
    focal = await actor(db, FOCAL["SNV"])
    card = item_screen(await flow.open_item(db, focal, units["SNV"], period_id, "3.2", now=utcnow())).text
    assert "Điều chỉnh: 10 → 4 điểm. Lý do: Văn bản chưa có chữ ký của lãnh đạo" in card
    waiting = item_screen(await flow.open_item(db, focal, units["SNV"], period_id, "5.2", now=utcnow())).text
    assert "chờ thẩm định" in waiting


@pytest.mark.parametrize(("state", "reason", "sentence"), [
    ("provisional", "appraisal_provisional", "Kết quả tạm thời"),
    ("published", "appraisal_final", "Kết quả chính thức"),
])  # fmt: skip
async def test_no_decision_is_taken_once_results_are_provisional_or_final(db, campaign, state, reason, sentence):
    period_id, units = campaign
    b = await actor(db, APPRAISER_B)
    target = await answer_id(db, units, "SNV", "3.2")
    async with db.session() as session, session.begin():
        (await session.get(Period, period_id)).state = state
    for attempt in (
        review.decide(db, b, target, "correct", Decimal(1), "Sai", now=utcnow()),
        review.decide(db, b, target, "accept", now=utcnow()),
        review.start_input(db, b, target, "needs_supplement"),
    ):
        with pytest.raises(ServiceError) as refused:
            await attempt
        assert refused.value.reason == reason and sentence in service_error(refused.value)
    async with db.read_session() as session:
        answer = await session.get(Answer, target)
        reviews = (await session.execute(select(func.count()).select_from(Review))).scalar_one()
    assert (answer.status, answer.verified_points, reviews) == ("submitted", None, 0)
    assert isinstance(await review.next_in_queue(db, b), review.QueueEnd)  # out of the queue as well


async def test_a_decided_item_cannot_be_decided_again(db, campaign):
    _period, units = campaign
    a = await actor(db, APPRAISER_A)
    target = await answer_id(db, units, "SNV", "1.2")
    await review.decide(db, a, target, "accept", now=utcnow())
    with pytest.raises(ServiceError) as refused:
        await review.decide(db, a, target, "correct", Decimal(1), "Sai", now=utcnow())
    assert refused.value.reason == "already_reviewed"


async def test_coordinators_assign_appraisers_in_the_chat_by_ticking_indices(db, campaign):
    period_id, _units = campaign
    chair = await actor(db, CHAIR)
    period, people = await domain.appraisers(db, chair)
    assert period.id == period_id and [p.full_name for p in people] == ["Bùi Ngọc Yến", "Hồ Văn Nam", "Phạm Thu Hà"]
    editing = await domain.start_editing(db, chair, people[2].person_id, now=utcnow())
    assert editing.chosen == ("1",) and [s.code for s in editing.others] == ["2.1"]
    for text in (appraisers_screen(period.title, people, period.id).text, editing_screen(editing).text):
        assert "2.1 (khối xã, phường)" in text and "xa-phuong" not in text  # a cohort by its name, never its code
    await domain.toggle(db, chair, people[2].person_id, "1", now=utcnow())
    editing = await domain.toggle(db, chair, people[2].person_id, "4", now=utcnow())
    assert editing.chosen == ("4",)
    saved = await domain.save_editing(db, chair, people[2].person_id, now=utcnow())
    assert (saved.added, saved.removed) == (1, 1)
    assert {(s.code, s.cohort) for s in saved.appraiser.scopes} == {("4", ""), ("2.1", "xa-phuong")}
    with pytest.raises(ServiceError):  # saved: the ticks are gone
        await domain.save_editing(db, chair, people[2].person_id, now=utcnow())
    with pytest.raises(NotAllowed):
        await domain.start_editing(db, await actor(db, APPRAISER_A), people[2].person_id, now=utcnow())
    with pytest.raises(ServiceError) as refused:
        await domain.assign(db, SYSTEM, str(FOCAL["SNV"]), period_id, ["1"], now=utcnow())
    assert refused.value.reason == "not_an_appraiser"
    async with db.read_session() as session:
        rows = (await session.execute(select(func.count()).select_from(AppraiserScope))).scalar_one()
    assert rows == 4  # A: 4 and 2.1; B: 3 and 5


async def test_in_the_chat_a_coordinator_assigns_a_sub_index_and_a_cohorts_index_and_the_queue_holds_just_those(
    db, campaign
):
    _period, units = campaign
    chair, nam = await actor(db, CHAIR), await actor(db, UNASSIGNED)
    person = nam.person_id
    editing = await domain.start_editing(db, chair, person, now=utcnow())
    assert (editing.cohort, editing.chosen, editing.others) == ("", (), ())
    assert editing.cohorts == (("so-nganh", "khối sở, ban, ngành"), ("xa-phuong", "khối xã, phường"))
    await domain.open_index(db, chair, person, "3", now=utcnow())
    editing = await domain.toggle(db, chair, person, "3.2", now=utcnow())
    assert (editing.open, editing.chosen, editing.ticked("3"), editing.whole("3")) == ("3", ("3.2",), {"3.2"}, False)
    labels = [b.text for row in editing_screen(editing).rows for b in row]
    assert "⬜ Cả chỉ số 3" in labels and any(t.startswith("☑️ 3.2 ") for t in labels)
    assert "⬜ 1. Nhận thức số" not in labels  # the open index shows its own sub-indices, not the indices
    await domain.open_index(db, chair, person, "", now=utcnow())
    editing = await domain.choose_cohort(db, chair, person, "xa-phuong", now=utcnow())
    assert (editing.cohort, editing.open, editing.chosen) == ("xa-phuong", "", ())
    editing = await domain.toggle(db, chair, person, "1", now=utcnow())
    screen = editing_screen(editing)
    labels = [b.text for row in screen.rows for b in row]
    assert "🔘 Khối xã, phường" in labels and "Tất cả khối" in labels and "☑️ 1. Nhận thức số" in labels
    assert "xa-phuong" not in screen.text and "3.2" in screen.text  # 3.2, every cohort, named as also assigned
    for row in screen.rows:
        for button in row:
            assert actions.parse(button.action) is not None  # every button fits in 64 bytes and parses back
    # all of an index's sub-indices ticked one by one are the whole index; unticking one keeps the others
    for code in ("2", "2.1"):
        editing = await domain.toggle(db, chair, person, code, now=utcnow())
    assert editing.chosen == ("1", "2.2", "2.3") and "◐ 2. Thể chế số (2/3)" in [
        b.text for row in editing_screen(editing).rows for b in row
    ]
    editing = await domain.toggle(db, chair, person, "2.1", now=utcnow())
    assert editing.chosen == ("1", "2")
    editing = await domain.toggle(db, chair, person, "2", now=utcnow())
    assert editing.chosen == ("1",)
    for forged in (
        domain.choose_cohort(db, chair, person, "khoi-la", now=utcnow()),
        domain.open_index(db, chair, person, "1.2", now=utcnow()),
        domain.toggle(db, chair, person, "9.9", now=utcnow()),
    ):
        with pytest.raises(ServiceError) as refused:
            await forged
        assert refused.value.reason == "unknown_item" and "không còn hiệu lực" in service_error(refused.value)
    saved = await domain.save_editing(db, chair, person, now=utcnow())
    assert (saved.added, saved.removed) == (2, 0)
    assert {(s.code, s.cohort) for s in saved.appraiser.scopes} == {("3.2", ""), ("1", "xa-phuong")}
    assert sorted(await walk(db, nam)) == sorted([(units["SNV"], "3.2"), (units["X-A"], "1.2")])
    # opened again: each cohort's ticks as saved; unticking the cohort's index takes only that scope out
    editing = await domain.start_editing(db, chair, person, now=utcnow())
    assert editing.chosen == ("3.2",) and [(s.code, s.cohort) for s in editing.others] == [("1", "xa-phuong")]
    await domain.choose_cohort(db, chair, person, "xa-phuong", now=utcnow())
    await domain.toggle(db, chair, person, "1", now=utcnow())
    saved = await domain.save_editing(db, chair, person, now=utcnow())
    assert (saved.added, saved.removed) == (0, 1)
    again = await review.review_again(db, nam, None)  # the items skipped by the walk above, from the start
    assert (again.unit_id, again.sub.code) == (units["SNV"], "3.2")
    assert not isinstance(await review.skip(db, nam, again.answer_id, None), review.ReviewItem)


async def test_the_chair_closes_the_appraisal_into_provisional_results_and_no_decision_follows(db, campaign):
    period_id, units = campaign
    chair, a = await actor(db, CHAIR), await actor(db, APPRAISER_A)
    await periods.move_phase(db, SYSTEM, period_id, "appraisal", via="cli", now=utcnow())
    with pytest.raises(NotAllowed):  # an appraiser does not close the appraisal
        await council.close_appraisal(db, a, period_id, now=utcnow())
    before = await council.council_view(db, chair, period_id)
    assert before.state == "locked" and before.waiting == 6
    moved = await council.close_appraisal(db, chair, period_id, now=utcnow())
    assert (moved.from_state, moved.to_state) == ("locked", "provisional")
    with pytest.raises(ServiceError) as refused:
        await review.decide(db, a, await answer_id(db, units, "SNV", "1.2"), "accept", now=utcnow())
    assert refused.value.reason == "appraisal_provisional"
