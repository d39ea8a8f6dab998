"""Objections to provisional results: a unit raises one with a reason and evidence during the feedback
window (refused before, after and once final); the council upholds one (the item's points change,
audited, and every figure follows) and rejects another with a reason (the points stay); the unit
is told either way."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.render.actions import parse
from bot.render.appraisal.objections import decided_notice, draft_screen, raised_council_notice, window_screen
from bot.render.numbers import vn_points
from bot.services.access import load_actor
from bot.services.appraisal import objections
from bot.services.appraisal.objections import ObjectionClosed
from bot.services.results.scores import period_scores
from storage.models import Answer, AnswerHistory, Evidence, Membership, Objection, Outbox, Period, Unit
from tests.services.helpers import demo_campaign

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
FOCAL_SNV, LEADER_SNV, COORDINATOR = 700001, 700004, 700007


@pytest.fixture
async def demo(db, store):
    report = await demo_campaign(db, store, now=NOW, today=date(2026, 11, 22))
    await set_period(db, report.period_id, state="provisional", feedback_deadline=date(2026, 11, 27))
    return report


async def set_period(db, period_id: int, **values) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(Period).where(Period.id == period_id).values(**values))


async def snv_points(db, period_id: int, code: str) -> Decimal:
    scores = await period_scores(db, period_id)
    return scores.cohort_of("SNV").entry("SNV").result.subs[code].points


async def raise_objection(db, person: int, code: str, reason: str, link: str = "", now: datetime = NOW):
    actor = await load_actor(db, person)
    draft = await objections.start_objection(db, actor, actor.unit.unit_id, await period_of(db), code, now=now)
    assert draft.step == "reason"
    draft = await objections.objection_text(db, actor, reason, now=now)
    assert draft.step == "evidence" and draft.reason == reason
    if link:
        draft = await objections.objection_text(db, actor, link, now=now)
        assert [e.label for e in draft.evidence] == [link]
    return await objections.send_objection(db, actor, now=now)


async def period_of(db) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(Period.id).where(Period.state == "provisional"))).scalar_one()


async def test_a_unit_objects_in_the_window_and_the_council_upholds_it_with_new_points_audited(db, demo):
    period_id = demo.period_id
    focal = await load_actor(db, FOCAL_SNV)
    window = await objections.objection_items(db, focal, now=NOW)
    assert window.feedback_deadline == date(2026, 11, 27) and window.items
    code = window.items[0].code
    before = await snv_points(db, period_id, code)
    raised = await raise_objection(
        db, FOCAL_SNV, code, "Đơn vị đã có quyết định, đề nghị chấm lại", "https://snv.gov.vn/qd-1"
    )

    async with db.read_session() as session:
        objection = await session.get(Objection, raised.objection_id)
        evidence = (
            (await session.execute(select(Evidence).where(Evidence.id.in_(objection.detail["evidence"]))))
            .scalars()
            .all()
        )
    assert (objection.state, objection.sub_index_code, objection.raised_by) == ("open", code, focal.person_id)
    assert [e.url for e in evidence] == ["https://snv.gov.vn/qd-1"] and evidence[0].answer_id is not None
    with pytest.raises(Exception) as twice:  # one open objection per item
        await objections.start_objection(db, focal, focal.unit.unit_id, period_id, code, now=NOW)
    assert twice.value.reason == "objection_pending"

    coordinator = await load_actor(db, COORDINATOR)
    item = await objections.next_objection(db, coordinator)
    assert (item.objection_id, item.unit_name, item.points, item.reason) == (
        raised.objection_id,
        "Sở Nội vụ",
        before,
        "Đơn vị đã có quyết định, đề nghị chấm lại",
    )
    assert [e.label for e in item.evidence] == ["https://snv.gov.vn/qd-1"]
    new = min(item.max_points, before + 1) if before < item.max_points else item.max_points - 1
    asked = await objections.start_decision(db, coordinator, item.objection_id, upheld=True)
    assert asked.step == "points"
    decided, following = await objections.council_text(
        db, coordinator, f"{str(new).replace('.', ',')}; quyết định hợp lệ", decided_notice, now=NOW
    )
    assert (decided.state, decided.old_points, decided.new_points) == ("upheld", before, new)
    assert following is None

    assert await snv_points(db, period_id, code) == new  # every figure follows the stored verified points
    async with db.read_session() as session:
        objection = await session.get(Objection, raised.objection_id)
        answer = await session.get(Answer, objection.answer_id)
        history = (
            await session.execute(
                select(AnswerHistory).where(
                    AnswerHistory.answer_id == answer.id, AnswerHistory.action == "objection_upheld"
                )
            )
        ).scalar_one()
        told = (await session.execute(select(Outbox).where(Outbox.kind == "objection"))).scalars().all()
    assert (objection.state, objection.old_points, objection.new_points, objection.decided_by) == (
        "upheld",
        before,
        new,
        coordinator.person_id,
    )
    assert objection.response == "quyết định hợp lệ"
    assert (answer.verified_points, answer.status) == (new, "accepted")
    assert history.changed_by == coordinator.person_id and Decimal(history.new["verified_points"]) == new
    async with db.read_session() as session:
        members = set(
            (
                await session.execute(
                    select(Membership.person_id).where(
                        Membership.unit_id == focal.unit.unit_id, Membership.role.in_(("focal_point", "leader"))
                    )
                )
            ).scalars()
        )
    leader_id = (await load_actor(db, LEADER_SNV)).person_id
    assert {o.person_id for o in told} == members and {focal.person_id, leader_id} <= members
    assert all(code in o.payload["text"] and "✅" in o.payload["text"] for o in told)


async def test_the_council_rejects_an_objection_with_a_reason_and_the_points_stay(db, demo):
    period_id = demo.period_id
    leader = await load_actor(db, LEADER_SNV)
    window = await objections.objection_items(db, leader, now=NOW)
    code = window.items[1].code
    before = await snv_points(db, period_id, code)
    raised = await raise_objection(db, LEADER_SNV, code, "Điểm thấp hơn thực tế")
    coordinator = await load_actor(db, COORDINATOR)
    await objections.start_decision(db, coordinator, raised.objection_id, upheld=False)
    with pytest.raises(Exception) as short:
        await objections.council_text(db, coordinator, "x", decided_notice, now=NOW)
    assert short.value.reason == "bad_objection_reason"
    decided, _next = await objections.council_text(
        db, coordinator, "Tài liệu gửi kèm không đúng kỳ đánh giá", decided_notice, now=NOW
    )
    assert (decided.state, decided.new_points) == ("rejected", before)
    assert await snv_points(db, period_id, code) == before
    async with db.read_session() as session:
        objection = await session.get(Objection, raised.objection_id)
        told = (await session.execute(select(Outbox).where(Outbox.kind == "objection"))).scalars().all()
    assert (objection.state, objection.response) == ("rejected", "Tài liệu gửi kèm không đúng kỳ đánh giá")
    assert told and all("Tài liệu gửi kèm không đúng kỳ đánh giá" in o.payload["text"] for o in told)
    with pytest.raises(Exception) as again:
        await objections.start_decision(db, coordinator, raised.objection_id, upheld=True)
    assert again.value.reason == "objection_decided"


@pytest.mark.parametrize(
    ("state", "deadline", "now", "why"),
    [
        ("open", None, NOW, "not_provisional"),
        ("locked", None, NOW, "not_provisional"),
        ("provisional", date(2026, 11, 23), NOW, "deadline_passed"),
        ("published", None, NOW, "final"),
    ],
)
async def test_objections_are_refused_outside_the_feedback_window(db, demo, state, deadline, now, why):
    await set_period(db, demo.period_id, state=state, feedback_deadline=deadline)
    focal = await load_actor(db, FOCAL_SNV)
    with pytest.raises(ObjectionClosed) as refused:
        await objections.start_objection(db, focal, focal.unit.unit_id, demo.period_id, "1.1", now=now)
    assert refused.value.why == why
    async with db.read_session() as session:
        assert (await session.execute(select(Objection))).first() is None


async def test_during_the_self_assessment_the_objection_screen_says_not_yet_not_last_years_final(db, demo):
    await set_period(db, demo.period_id, state="open", feedback_deadline=None)  # last year's period is final
    focal = await load_actor(db, FOCAL_SNV)
    with pytest.raises(ObjectionClosed) as refused:
        await objections.objection_items(db, focal, now=NOW)
    assert refused.value.why == "not_provisional"


async def test_an_objection_left_open_cannot_be_answered_once_the_results_are_final(db, demo):
    raised = await raise_objection(db, FOCAL_SNV, "1.1", "Đề nghị xem lại điểm")
    await set_period(db, demo.period_id, state="published")
    coordinator = await load_actor(db, COORDINATOR)
    assert await objections.next_objection(db, coordinator) is None
    with pytest.raises(ObjectionClosed):
        await objections.decide(db, coordinator, raised.objection_id, Decimal(1), "", decided_notice, now=NOW)
    async with db.read_session() as session:
        snv = (await session.execute(select(Unit).where(Unit.code == "SNV"))).scalar_one()
        assert (await session.get(Objection, raised.objection_id)).state == "open"
        assert snv is not None


async def test_each_council_chair_gets_one_message_per_objection_with_a_button_that_opens_it(db, demo):
    focal = await load_actor(db, FOCAL_SNV)
    window = await objections.objection_items(db, focal, now=NOW)
    first, second = window.items[0].code, window.items[1].code
    await objections.start_objection(db, focal, focal.unit.unit_id, demo.period_id, first, now=NOW)
    await objections.objection_text(db, focal, "Đã có quyết định ban hành, đề nghị chấm lại", now=NOW)
    raised = await objections.send_objection(db, focal, now=NOW, notify_council=raised_council_notice)
    await objections.start_objection(db, focal, focal.unit.unit_id, demo.period_id, second, now=NOW)
    await objections.objection_text(db, focal, "Điểm thấp hơn thực tế", now=NOW)
    await objections.send_objection(db, focal, now=NOW, notify_council=raised_council_notice)

    async with db.read_session() as session:
        chairs = set(
            (
                await session.execute(
                    select(Membership.person_id).where(Membership.role == "coordinator", Membership.active.is_(True))
                )
            ).scalars()
        )
        told = (await session.execute(select(Outbox).where(Outbox.kind == "objection_raised"))).scalars().all()
    coordinator = await load_actor(db, COORDINATOR)
    assert coordinator.person_id in chairs
    about_first = [o for o in told if o.dedupe_key.startswith(f"objection-raised:{raised.objection_id}:")]
    assert sorted(o.person_id for o in about_first) == sorted(chairs)  # one message per chair, per objection
    assert len(told) == 2 * len(chairs)
    message = about_first[0].payload
    assert "Sở Nội vụ" in message["text"] and first in message["text"]
    assert "Đã có quyết định ban hành" in message["text"]
    [[button]] = message["rows"]
    assert button["text"] == "⚖️ Mở kiến nghị"
    opened = parse(button["action"])
    assert opened.verb == "obn"
    item = await objections.next_objection(db, coordinator, int(opened.arg[1:]))
    assert item.objection_id == raised.objection_id and item.code == first  # the button opens that objection


async def test_the_objection_list_shows_each_item_once_as_a_button_with_its_code_short_name_and_points(db, demo):
    focal = await load_actor(db, FOCAL_SNV)
    window = await objections.objection_items(db, focal, now=NOW)
    screen = window_screen(window)
    labels = [b.text for row in screen.rows for b in row]
    assert len(window.items) == objections.PAGE
    for item in window.items:
        [label] = [text for text in labels if text.startswith(f"{item.code} ")]
        assert label.endswith(f" · {vn_points(item.points)}/{vn_points(item.max_points)}") and len(label) <= 40
        first_word = item.name.split()[0]
        assert f"{item.code} {first_word}" in label and item.name not in screen.text  # not listed twice
    long = next(i for i in window.items if len(i.name) > 24)
    shown = next(text for text in labels if text.startswith(f"{long.code} "))
    name = shown.removeprefix(f"{long.code} ").rsplit(" · ", 1)[0]
    assert name.endswith("…") and long.name.startswith(name.removesuffix("…"))  # cut between words
    assert long.name[len(name) - 1] == " "


async def test_every_cancel_button_reads_the_same(db, demo):
    focal = await load_actor(db, FOCAL_SNV)
    window = await objections.objection_items(db, focal, now=NOW)
    draft = await objections.start_objection(db, focal, window.unit_id, window.period_id, window.items[0].code, now=NOW)
    assert [b.text for row in draft_screen(draft).rows for b in row] == ["✖️ Hủy"]
    root = Path(__file__).resolve().parents[2]
    plain = re.compile(r"✖(?!\ufe0f)")  # the heavy multiplication sign without its emoji form
    sources = [p for p in (root / "bot").rglob("*.py") if '_("✖' in p.read_text(encoding="utf-8")]
    assert sources and not [p.name for p in sources if re.search(r'_\("✖(?!\ufe0f)', p.read_text(encoding="utf-8"))]
    catalog = (root / "locales/vi/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    assert "✖️ Hủy" in catalog and not [line for line in catalog.splitlines() if plain.search(line)]
