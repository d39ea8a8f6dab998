"""An item's life after the self-assessment: the supplement window for sent-back items, read-only
items that say why, explanations ("giải trình"), and answers changed after the appraisers decided."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from bot.render.assessment.cards import item_screen, summary_screen
from bot.render.errors import service_error as service_error_text
from bot.services.access import load_actor
from bot.services.admin.frameworks import framework_of
from bot.services.assessment import evidence, explanations
from bot.services.assessment import flow as assessment
from bot.services.assessment.context import ReadOnly
from bot.services.assessment.editability import editable
from bot.services.assessment.views import ItemView
from bot.services.errors import ServiceError
from scoring.states import AnswerStatus, PeriodState
from scoring.unit import answerable_items
from storage.models import Answer, AnswerHistory, Evidence, FrameworkVersion, Period, Review, Unit
from storage.types import utcnow
from tests.services.helpers import demo_campaign

FOCAL = 700001  # the demo's focal point of Sở Nội vụ
DEADLINE = date(2026, 11, 29)  # the demo period's deadline: a week after the day it is seeded
AFTER_DEADLINE = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 02/12/2026, 09:00 in Vietnam
SUPPLEMENT_UNTIL = date(2026, 12, 5)
AFTER_SUPPLEMENT = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
async def focal(db, store):
    await demo_campaign(db, store, today=date(2026, 11, 22), now=utcnow())
    actor = await load_actor(db, FOCAL)
    view = await assessment.open_current(db, actor, now=utcnow())
    async with db.session() as session:
        period = await session.get(Period, view.ref.period_id)
        assert period.deadline == DEADLINE
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
        unit = await session.get(Unit, view.ref.unit_id)
    items = answerable_items(framework, unit.attributes)
    return actor, view.ref.unit_id, view.ref.period_id, items


def yes_no_items(items):
    return [s for s in items if s.method.kind == "yes_no"]


async def stored(db, unit_id, period_id, code) -> Answer:
    async with db.session() as session:
        return (
            await session.execute(
                select(Answer).where(
                    Answer.unit_id == unit_id, Answer.period_id == period_id, Answer.sub_index_code == code
                )
            )
        ).scalar_one()


async def set_answer(db, unit_id, period_id, code, **values) -> None:
    async with db.session() as session, session.begin():
        answer = (
            await session.execute(
                select(Answer).where(
                    Answer.unit_id == unit_id, Answer.period_id == period_id, Answer.sub_index_code == code
                )
            )
        ).scalar_one()
        for key, value in values.items():
            setattr(answer, key, value)
        if values.get("status") == AnswerStatus.NEEDS_SUPPLEMENT:
            session.add(Review(answer_id=answer.id, decision="needs_supplement", comment="Bổ sung quyết định"))


async def set_period(db, period_id, **values) -> None:
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id)
        for key, value in values.items():
            setattr(period, key, value)


async def answered_yes(db, actor, unit, period, sub):
    await assessment.answer_choice(db, actor, unit, period, sub.code, "y", "", now=utcnow())


# -- the rule itself ---------------------------------------------------------------------------------
class _Period:
    def __init__(self, state, supplement_deadline=None):
        self.state, self.deadline, self.supplement_deadline = state, DEADLINE, supplement_deadline


class _Answer:
    def __init__(self, status):
        self.status = status


SENT_BACK, ACCEPTED = _Answer(AnswerStatus.NEEDS_SUPPLEMENT), _Answer(AnswerStatus.ACCEPTED)


@pytest.mark.parametrize(
    ("state", "until", "answer", "today", "expected"),
    [
        ("open", None, None, DEADLINE, (True, None)),  # the deadline day is still open, all day
        ("open", None, ACCEPTED, DEADLINE, (True, None)),
        ("open", None, None, date(2026, 11, 30), (False, "deadline")),
        ("open", SUPPLEMENT_UNTIL, SENT_BACK, date(2026, 11, 30), (True, "supplement")),
        ("locked", None, ACCEPTED, date(2026, 11, 30), (False, "appraisal")),
        ("locked", None, None, date(2026, 11, 25), (False, "appraisal")),
        ("locked", SUPPLEMENT_UNTIL, SENT_BACK, SUPPLEMENT_UNTIL, (True, "supplement")),
        ("locked", SUPPLEMENT_UNTIL, SENT_BACK, date(2026, 12, 6), (False, "supplement_deadline")),
        ("locked", None, SENT_BACK, date(2027, 3, 1), (True, "supplement")),  # no date: while appraisal lasts
        ("provisional", None, SENT_BACK, date(2026, 12, 1), (False, "provisional")),
        ("published", None, SENT_BACK, date(2026, 12, 1), (False, "published")),
        ("draft", None, None, date(2026, 11, 1), (False, "draft")),
    ],
)
def test_one_rule_says_which_items_can_change_and_why(state, until, answer, today, expected):
    assert editable(_Period(state, until), answer, today) == expected


# -- the supplement window ---------------------------------------------------------------------------
async def test_after_the_deadline_only_a_sent_back_item_can_be_answered_until_the_supplement_deadline(db, focal):
    actor, unit, period, items = focal
    back, other = yes_no_items(items)[:2]
    for sub in (back, other):
        await answered_yes(db, actor, unit, period, sub)
    await assessment.submit(db, actor, unit, period, now=utcnow())
    await set_answer(db, unit, period, back.code, status=AnswerStatus.NEEDS_SUPPLEMENT)
    await set_period(db, period, supplement_deadline=SUPPLEMENT_UNTIL)

    with time_machine.travel(AFTER_DEADLINE, tick=False):
        with pytest.raises(ReadOnly) as refused:
            await assessment.answer_choice(db, actor, unit, period, other.code, "n", "", now=utcnow())
        assert refused.value.details["why"] == "deadline"
        assert service_error_text(refused.value) == "Hết hạn tự đánh giá ngày 29/11/2026; chỉ số này chỉ xem."

        view = await assessment.answer_choice(db, actor, unit, period, back.code, "n", "", now=utcnow())
        assert (await stored(db, unit, period, back.code)).raw == {"yes": False}
        card = await assessment.open_item(db, actor, unit, period, back.code, now=utcnow())
        assert card.ref.read_only is None and card.ref.supplement
        assert "sửa được đến hết ngày 05/12/2026" in item_screen(card).text
        other_card = await assessment.open_item(db, actor, unit, period, other.code, now=utcnow())
        assert other_card.ref.read_only == "deadline"
        assert "Hết hạn tự đánh giá ngày 29/11/2026; chỉ số này chỉ xem." in item_screen(other_card).text

        # re-submitted: back in the appraisers' queue; the other item is left as it was
        done = await assessment.submit(db, actor, unit, period, now=utcnow())
        assert done.notice.details["count"] == 1
    assert (await stored(db, unit, period, back.code)).status == AnswerStatus.SUBMITTED
    assert view is not None

    await set_answer(db, unit, period, back.code, status=AnswerStatus.NEEDS_SUPPLEMENT)
    with time_machine.travel(AFTER_SUPPLEMENT, tick=False):
        with pytest.raises(ReadOnly) as refused:
            await assessment.answer_choice(db, actor, unit, period, back.code, "y", "", now=utcnow())
        assert refused.value.details["why"] == "supplement_deadline"
        assert service_error_text(refused.value) == "Hết hạn bổ sung ngày 05/12/2026; chỉ số này chỉ xem."


async def test_during_appraisal_a_sent_back_item_takes_answers_evidence_and_explanations(db, focal):
    actor, unit, period, items = focal
    back, other = yes_no_items(items)[:2]
    for sub in (back, other):
        await answered_yes(db, actor, unit, period, sub)
    await assessment.submit(db, actor, unit, period, now=utcnow())
    await set_answer(db, unit, period, back.code, status=AnswerStatus.NEEDS_SUPPLEMENT)
    await set_period(db, period, state=PeriodState.LOCKED)  # appraisal, no supplement deadline set

    now = AFTER_DEADLINE
    await assessment.answer_choice(db, actor, unit, period, back.code, "n", "", now=now)
    await assessment.open_item(db, actor, unit, period, back.code, step="evidence", now=now)
    await assessment.answer_text(db, actor, "https://snv.example.gov.vn/qd-123", now=now)
    await explanations.start_explanation(db, actor, unit, period, back.code, now=now)
    await assessment.answer_text(db, actor, "Quyết định đang trình ký", now=now)
    answer = await stored(db, unit, period, back.code)
    assert answer.raw == {"yes": False} and answer.explanation == "Quyết định đang trình ký"

    for attempt in (
        assessment.answer_choice(db, actor, unit, period, other.code, "n", "", now=now),
        explanations.start_explanation(db, actor, unit, period, other.code, now=now),
        evidence.start_document_ref(db, actor, unit, period, other.code, now=now),
    ):
        with pytest.raises(ReadOnly) as refused:
            await attempt
        assert service_error_text(refused.value) == (
            "Đang thẩm định; chỉ những chỉ số được đề nghị bổ sung mới sửa được."
        )

    summary = await assessment.summary(db, actor, unit, period, confirming=True, now=now)
    assert summary.ref.read_only is None  # something can be submitted: the supplement
    assert any((b.action or "").startswith("sbc|") for row in summary_screen(summary).rows for b in row)
    await assessment.submit(db, actor, unit, period, now=now)
    assert (await stored(db, unit, period, back.code)).status == AnswerStatus.SUBMITTED
    assert (await stored(db, unit, period, other.code)).raw == {"yes": True}

    await set_period(db, period, state=PeriodState.PROVISIONAL)
    await set_answer(db, unit, period, back.code, status=AnswerStatus.NEEDS_SUPPLEMENT)
    with pytest.raises(ReadOnly) as refused:
        await assessment.answer_choice(db, actor, unit, period, back.code, "y", "", now=now)
    assert service_error_text(refused.value) == "Đã công bố kết quả tạm thời; câu trả lời chỉ xem."


# -- the answer's life after a decision --------------------------------------------------------------
async def test_changing_an_accepted_answer_sends_it_back_to_appraisal_and_clears_its_verified_points(db, focal):
    actor, unit, period, items = focal
    sub = yes_no_items(items)[0]
    await answered_yes(db, actor, unit, period, sub)
    await set_answer(db, unit, period, sub.code, status=AnswerStatus.ACCEPTED, verified_points=Decimal("5"))

    view = await assessment.answer_choice(db, actor, unit, period, sub.code, "n", "", now=utcnow())
    answer = await stored(db, unit, period, sub.code)
    assert answer.status == AnswerStatus.SUBMITTED and answer.verified_points is None
    assert answer.self_points == 0 and answer.submitted_at is not None
    assert view.notice.details["points"] == 0  # "Không" shows 0, not the old verified points
    async with db.session() as session:
        last = (
            (
                await session.execute(
                    select(AnswerHistory).where(AnswerHistory.answer_id == answer.id).order_by(AnswerHistory.id.desc())
                )
            )
            .scalars()
            .first()
        )
    assert last.action == "reopen"
    assert last.old["verified_points"] == "5" and last.old["status"] == "accepted"
    assert last.new["verified_points"] is None and last.new["status"] == "submitted"


async def test_evidence_of_an_accepted_item_cannot_be_removed_until_the_answer_is_changed(db, focal):
    actor, unit, period, items = focal
    sub = next(s for s in items if "link" in s.evidence.kinds or "document_ref" in s.evidence.kinds)
    await assessment.open_item(db, actor, unit, period, sub.code, step="evidence", now=utcnow())
    if "link" in sub.evidence.kinds:
        await assessment.answer_text(db, actor, "https://snv.example.gov.vn/tai-lieu", now=utcnow())
    else:
        await evidence.start_document_ref(db, actor, unit, period, sub.code, now=utcnow())
        for text in ("12/QĐ-SNV", "01/02/2026", "Quyết định kiện toàn"):
            await assessment.answer_text(db, actor, text, now=utcnow())
    answer = await stored(db, unit, period, sub.code)
    async with db.session() as session:
        piece = (
            (await session.execute(select(Evidence).where(Evidence.answer_id == answer.id).order_by(Evidence.id)))
            .scalars()
            .first()
        )
    await set_answer(db, unit, period, sub.code, status=AnswerStatus.ACCEPTED, verified_points=sub.max_points)

    with pytest.raises(ServiceError) as refused:
        await evidence.remove_evidence(db, actor, unit, period, sub.code, piece.id, now=utcnow())
    assert refused.value.reason == "accepted_evidence"
    assert "đã được thẩm định đạt" in service_error_text(refused.value)
    async with db.session() as session:
        assert await session.get(Evidence, piece.id) is not None


# -- explanations and the evidence an answer needs ---------------------------------------------------
async def test_an_explanation_is_typed_kept_audited_and_shown_on_the_card(db, focal):
    actor, unit, period, items = focal
    sub = yes_no_items(items)[0]
    await answered_yes(db, actor, unit, period, sub)
    asking = await explanations.start_explanation(db, actor, unit, period, sub.code, now=utcnow())
    assert asking.step == "explanation" and "Nhập nội dung giải trình" in item_screen(asking).text
    with pytest.raises(ServiceError) as refused:
        await assessment.answer_text(db, actor, " \u200b ", now=utcnow())
    assert refused.value.reason == "bad_explanation"

    view = await assessment.answer_text(db, actor, "Không phát sinh trong năm", now=utcnow())
    assert view.explanation == "Không phát sinh trong năm"
    assert "📝 Giải trình: “Không phát sinh trong năm”" in item_screen(view).text
    answer = await stored(db, unit, period, sub.code)
    assert answer.explanation == "Không phát sinh trong năm" and answer.raw == {"yes": True}

    removed = await explanations.remove_explanation(db, actor, unit, period, sub.code, now=utcnow())
    assert removed.explanation == "" and (await stored(db, unit, period, sub.code)).explanation == ""
    async with db.session() as session:
        trail = (
            await session.execute(
                select(AnswerHistory.action, AnswerHistory.new)
                .where(AnswerHistory.answer_id == answer.id, AnswerHistory.action == "explanation")
                .order_by(AnswerHistory.id)
            )
        ).all()
    assert trail == [("explanation", {"explanation": "Không phát sinh trong năm"}), ("explanation", None)]


async def test_a_no_needs_no_evidence_and_an_allowed_explanation_stands_in_for_it(db, focal):
    actor, unit, period, items = focal
    plan = next(s for s in yes_no_items(items) if s.evidence.required)
    explained = next(s for s in items if s.evidence.required and s.evidence.explanation_allowed)
    said_no = await assessment.answer_choice(db, actor, unit, period, plan.code, "n", "", now=utcnow())
    assert isinstance(said_no, ItemView) and said_no.sub.code == plan.code
    assert "(không cần với câu trả lời này)" in item_screen(said_no).text
    await assessment.open_item(db, actor, unit, period, explained.code, now=utcnow())
    await assessment.answer_text(db, actor, "40/50", now=utcnow())
    answer = await stored(db, unit, period, explained.code)
    assert answer.self_points > 0
    async with db.session() as session:
        assert not (await session.execute(select(Evidence).where(Evidence.answer_id == answer.id))).first()

    summary = await assessment.summary(db, actor, unit, period, now=utcnow())
    missing = {code for code, _name in summary.missing_evidence}
    assert plan.code not in missing  # "Không" earns nothing: no evidence asked for
    assert explained.code in missing

    await explanations.start_explanation(db, actor, unit, period, explained.code, now=utcnow())
    await assessment.answer_text(db, actor, "Số liệu trích từ Hệ thống giải quyết TTHC của tỉnh", now=utcnow())
    summary = await assessment.summary(db, actor, unit, period, now=utcnow())
    assert explained.code not in {code for code, _name in summary.missing_evidence}


async def test_the_leader_and_the_progress_table_never_ask_evidence_for_a_no(db, focal):
    from bot.services.campaign.progress import period_progress
    from bot.services.results.leader import weakest

    actor, unit, period, items = focal
    sub = next(s for s in yes_no_items(items) if s.evidence.required)
    await answered_yes(db, actor, unit, period, sub)  # "Có" with no evidence: missing
    answer = await stored(db, unit, period, sub.code)
    async with db.session() as session, session.begin():
        for piece in (await session.execute(select(Evidence).where(Evidence.answer_id == answer.id))).scalars():
            await session.delete(piece)

    async def missing_count() -> int:
        async with db.session() as session:
            _framework, rows = await period_progress(session, await session.get(Period, period))
        return next(r for r in rows if r.unit_id == unit).missing_evidence

    before = await missing_count()
    await assessment.answer_choice(db, actor, unit, period, sub.code, "n", "", now=utcnow())
    assert await missing_count() == before - 1

    leader = await load_actor(db, 700004)  # the demo's leader of Sở Nội vụ
    found = {item.code: item for item in (await weakest(db, leader, limit=100)).items}
    assert found[sub.code].points == 0 and found[sub.code].reason == "zero"  # not "thiếu tài liệu kiểm chứng"
