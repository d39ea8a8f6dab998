"""The unit's leader approves the self-assessment before it reaches appraisal, or returns it to the
focal points with a comment; with the period's setting off, a submission goes straight to appraisal."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from bot.render.assessment.approval import approval_screen, decision_notice, leader_notice
from bot.services.access import load_actor
from bot.services.assessment import approval
from bot.services.assessment import flow as assessment
from bot.services.errors import ServiceError
from bot.services.results.scores import period_scores
from storage.models import Answer, AnswerHistory, Outbox, Period, Unit, UnitApproval
from storage.types import utcnow
from tests.services.helpers import demo_campaign

FOCAL, LEADER, OTHER_LEADER, COORDINATOR = 700001, 700004, 700005, 700007


@pytest.fixture
async def snv(db, store):
    """The demo's Sở Nội vụ, a third answered and nothing submitted; its focal point and leader."""
    report = await demo_campaign(db, store, now=utcnow(), today=date(2026, 11, 22))
    focal = await load_actor(db, FOCAL)
    return focal, focal.unit.unit_id, report.period_id


async def appraisable(db, period_id: int) -> set[int]:
    """The units with answers in the appraisal queue's reach."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(Answer.unit_id).where(
                Answer.period_id == period_id, Answer.status == "submitted", approval.reaches_appraisal()
            )
        )
        return {unit_id for (unit_id,) in rows}


async def rows_of(db, model, **where):
    async with db.read_session() as session:
        query = select(model).filter_by(**where).order_by(model.id)
        return list((await session.execute(query)).scalars())


async def test_a_submission_goes_to_the_leader_and_reaches_appraisal_only_once_approved(db, snv):
    focal, unit, period = snv
    done = await assessment.submit(db, focal, unit, period, now=utcnow(), notify_leaders=leader_notice)
    assert done.notice.kind == "submitted_to_leader"
    [row] = await rows_of(db, UnitApproval, unit_id=unit)
    assert (row.action, row.person_id, row.via) == ("submit", focal.person_id, "chat")
    [message] = await rows_of(db, Outbox, kind="approval")
    assert (
        message.chat_id == LEADER
        and "Nguyễn Thị Lan đã trình kết quả tự đánh giá của Sở Nội vụ" in (message.payload["text"])
    )
    assert message.payload["rows"][0][0]["action"] == f"apv|{unit}|{period}||"
    assert unit not in await appraisable(db, period)
    async with db.read_session() as session:
        assert unit not in await approval.approved_units(session, period)
    leader = await load_actor(db, LEADER)
    view = await approval.approve(db, leader, unit, period, now=utcnow(), render=decision_notice)
    assert view.state == approval.APPROVED and "Đã phê duyệt" in approval_screen(view).text
    assert unit in await appraisable(db, period)
    async with db.read_session() as session:
        assert unit in await approval.approved_units(session, period)
    told = await rows_of(db, Outbox, kind="approved")
    assert {m.chat_id for m in told} == {700001, 700002}  # both focal points of the unit
    with pytest.raises(ServiceError) as twice:
        await approval.approve(db, leader, unit, period, now=utcnow())
    assert twice.value.reason == "not_waiting_approval"


async def test_the_leader_sees_points_per_index_missing_evidence_and_explanations(db, snv):
    focal, unit, period = snv
    async with db.session() as session, session.begin():
        explained = (
            await session.execute(
                select(Answer).where(Answer.unit_id == unit, Answer.raw.is_not(None)).order_by(Answer.id).limit(1)
            )
        ).scalar_one()
        explained.explanation = "Không phát sinh trong năm 2026"
    await assessment.submit(db, focal, unit, period, now=utcnow())
    view = await approval.approval_view(db, await load_actor(db, LEADER), unit, period)
    assert view.state == approval.WAITING and view.can_decide and view.by == "Nguyễn Thị Lan"
    scores = await period_scores(db, period)
    entry = scores.cohort_of("SNV").entry("SNV").result
    assert (view.points, view.max_points) == (entry.points, entry.max_points)  # the ranking's own totals
    assert sum(i.points for i in view.indices) == view.points and len(view.indices) > 1
    assert (explained.sub_index_code, "Không phát sinh trong năm 2026") in [(c, t) for c, _n, t in view.explanations]
    assert 0 < view.answered < view.total and len(view.unanswered) == view.total - view.answered
    text = approval_screen(view).text
    assert "Tổng điểm tự chấm" in text and "Giải trình của đơn vị" in text and "Không phát sinh" in text
    buttons = [b.text for row in approval_screen(view).rows for b in row]
    assert buttons[:2] == ["✅ Phê duyệt", "↩️ Trả lại kèm ý kiến"]


async def test_a_return_sends_the_answers_back_to_draft_and_tells_the_focal_points_the_comment(db, snv):
    focal, unit, period = snv
    await assessment.submit(db, focal, unit, period, now=utcnow())
    leader = await load_actor(db, LEADER)
    await approval.start_return(db, leader, unit, period, now=utcnow())
    assert (await approval.approval_cursor(db, leader))["unit"] == unit
    view = await approval.typed_comment(
        db, leader, "Bổ sung quyết định kiện toàn Ban chỉ đạo", now=utcnow(), render=decision_notice
    )
    assert view.state == approval.RETURNED and view.comment == "Bổ sung quyết định kiện toàn Ban chỉ đạo"
    assert await approval.approval_cursor(db, leader) is None
    statuses = {a.status for a in await rows_of(db, Answer, unit_id=unit, period_id=period) if a.raw is not None}
    assert statuses == {"draft"}
    returned = await rows_of(db, AnswerHistory, action="returned")
    assert returned and all(h.changed_by == leader.person_id for h in returned)
    told = await rows_of(db, Outbox, kind="returned")
    assert {m.chat_id for m in told} == {700001, 700002}
    assert "“Bổ sung quyết định kiện toàn Ban chỉ đạo”" in told[0].payload["text"]
    assert told[0].payload["rows"][0][0]["action"] == f"smy|{unit}|{period}||"
    with pytest.raises(ServiceError):  # nothing waits now
        await approval.approve(db, leader, unit, period, now=utcnow())
    again = await assessment.submit(db, focal, unit, period, now=utcnow())
    assert again.notice.kind == "submitted_to_leader"
    assert [r.action for r in await rows_of(db, UnitApproval, unit_id=unit)] == ["submit", "return", "submit"]
    await approval.approve(db, leader, unit, period, now=utcnow())
    assert unit in await appraisable(db, period)


async def test_a_return_without_a_real_comment_is_refused_and_changes_nothing(db, snv):
    focal, unit, period = snv
    await assessment.submit(db, focal, unit, period, now=utcnow())
    leader = await load_actor(db, LEADER)
    for comment in ("", "ok", "\u200b\u200d\u2066"):
        with pytest.raises(ServiceError) as refused:
            await approval.return_to_focal_points(db, leader, unit, period, comment, now=utcnow())
        assert refused.value.reason in ("bad_comment", "invisible_text")
    assert [r.action for r in await rows_of(db, UnitApproval, unit_id=unit)] == ["submit"]
    assert {a.status for a in await rows_of(db, Answer, unit_id=unit) if a.raw is not None} == {"submitted"}


async def test_only_the_units_own_leader_approves(db, snv):
    focal, unit, period = snv
    await assessment.submit(db, focal, unit, period, now=utcnow())
    for telegram_id in (FOCAL, OTHER_LEADER, COORDINATOR):
        who = await load_actor(db, telegram_id)
        with pytest.raises(ServiceError) as refused:
            await approval.approve(db, who, unit, period, now=utcnow())
        assert refused.value.reason == "not_allowed"
    assert [r.action for r in await rows_of(db, UnitApproval, unit_id=unit)] == ["submit"]


async def test_with_approval_off_a_submission_goes_straight_to_appraisal(db, snv):
    focal, unit, period = snv
    async with db.session() as session, session.begin():
        await session.execute(update(Period).where(Period.id == period).values(unit_approval=False))
    done = await assessment.submit(db, focal, unit, period, now=utcnow(), notify_leaders=leader_notice)
    assert done.notice.kind == "submitted"
    assert await rows_of(db, UnitApproval, unit_id=unit) == [] and await rows_of(db, Outbox, kind="approval") == []
    assert unit in await appraisable(db, period)
    async with db.read_session() as session:
        assert await approval.appraisable_units(session, period) is None
    with pytest.raises(ServiceError) as refused:
        await approval.approve(db, await load_actor(db, LEADER), unit, period, now=utcnow())
    assert refused.value.reason == "approval_off"


async def test_units_that_never_submitted_to_their_leader_stay_out_of_appraisal(db, snv):
    _focal, _unit, period = snv
    async with db.read_session() as session:
        submitted = set(
            (
                await session.execute(
                    select(Answer.unit_id).where(Answer.period_id == period, Answer.status == "submitted")
                )
            ).scalars()
        )
        approved = await approval.approved_units(session, period)
        names = {u.id for u in (await session.execute(select(Unit))).scalars()}
    assert submitted <= names
    assert await appraisable(db, period) == submitted & approved
