"""The guided self-assessment's use cases on the demo province, on SQLite and PostgreSQL alike
(they are written in hand-written SQL, storage.lean; the end-to-end tests drive them on SQLite)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.access import NotAllowed, load_actor
from bot.services.admin.frameworks import framework_of
from bot.services.assessment import evidence
from bot.services.assessment import flow as assessment
from bot.services.assessment.context import UnknownItem
from bot.services.assessment.views import ItemView, Summary
from scoring.unit import answerable_items
from storage.models import Answer, AnswerHistory, Evidence, FrameworkVersion, Period, Unit
from storage.types import utcnow
from tests.services.helpers import demo_campaign

FOCAL = 700001  # the demo's focal point of a department (Sở Nội vụ), partly done


@pytest.fixture
async def focal(db, store):
    await demo_campaign(db, store, today=date(2026, 11, 22), now=utcnow())
    actor = await load_actor(db, FOCAL)
    view = await assessment.open_current(db, actor, now=utcnow())
    async with db.session() as session:
        period = await session.get(Period, view.ref.period_id)
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
        unit = await session.get(Unit, view.ref.unit_id)
    items = answerable_items(framework, unit.attributes)
    return actor, view.ref.unit_id, view.ref.period_id, items


def first(items, kind):
    return next(s for s in items if s.method.kind == kind)


async def stored(db, unit_id, period_id, code):
    async with db.session() as session:
        return (
            await session.execute(
                select(Answer).where(
                    Answer.unit_id == unit_id, Answer.period_id == period_id, Answer.sub_index_code == code
                )
            )
        ).scalar_one_or_none()


async def test_each_kind_of_answer_is_stored_with_its_points_and_the_cursor_follows(db, focal):
    actor, unit, period, items = focal
    yes_no = first(items, "yes_no")
    view = await assessment.answer_choice(db, actor, unit, period, yes_no.code, "y", "", now=utcnow())
    answer = await stored(db, unit, period, yes_no.code)
    assert answer.raw == {"yes": True} and answer.self_points == yes_no.max_points
    assert view.notice.details["points"] == yes_no.max_points

    ratio = first(items, "ratio")
    await assessment.open_item(db, actor, unit, period, ratio.code, now=utcnow())
    asked = await assessment.answer_text(db, actor, "45", now=utcnow())
    assert isinstance(asked, ItemView) and asked.step == "b" and asked.pending == {"a": "45"}
    await assessment.answer_text(db, actor, "50", now=utcnow())
    assert (await stored(db, unit, period, ratio.code)).raw == {"a": "45", "b": "50"}

    minmax = first(items, "minmax")
    await assessment.open_item(db, actor, unit, period, minmax.code, now=utcnow())
    view = await assessment.answer_text(db, actor, "12,5", now=utcnow())
    assert (await stored(db, unit, period, minmax.code)).raw == {"value": "12.5"}
    points = view.notice.details["points"] if view.notice else view.points
    assert Decimal(0) <= points <= minmax.max_points

    criteria = first(items, "criteria")
    toggled = await assessment.answer_choice(
        db, actor, unit, period, criteria.code, "t", criteria.criteria[0].code, now=utcnow()
    )
    assert toggled.pending == {"criteria": [criteria.criteria[0].code]}
    await assessment.answer_choice(db, actor, unit, period, criteria.code, "d", "", now=utcnow())
    assert (await stored(db, unit, period, criteria.code)).raw == {"criteria": [criteria.criteria[0].code]}


async def test_input_that_does_not_fit_is_refused_and_changes_nothing(db, focal):
    actor, unit, period, items = focal
    ratio = first(items, "ratio")
    await assessment.open_item(db, actor, unit, period, ratio.code, now=utcnow())
    before = await stored(db, unit, period, ratio.code)
    with pytest.raises(assessment.InputRejected):
        await assessment.answer_text(db, actor, "bốn mươi", now=utcnow())
    with pytest.raises(UnknownItem):
        await assessment.answer_choice(db, actor, unit, period, ratio.code, "y", "", now=utcnow())  # a yes for a ratio
    with pytest.raises(UnknownItem):
        await assessment.answer_choice(db, actor, unit, period, "99.99", "y", "", now=utcnow())
    after = await stored(db, unit, period, ratio.code)
    assert (before and before.revision) == (after and after.revision)
    with pytest.raises(NotAllowed):
        await assessment.answer_choice(db, actor, unit + 1, period, ratio.code, "y", "", now=utcnow())


async def test_links_and_cited_documents_are_attached_listed_and_removed_with_an_audit_trail(db, focal):
    actor, unit, period, items = focal
    linked = next(s for s in items if "link" in s.evidence.kinds)
    cited_item = next(s for s in items if "document_ref" in s.evidence.kinds)
    await assessment.navigate(db, actor, unit, period, linked.code, "evidence", now=utcnow())
    view = await assessment.answer_text(db, actor, "https://sonoivu.dongthap.gov.vn/bao-cao", now=utcnow())
    assert view.evidence[-1].kind == "link" and view.evidence[-1].label == "https://sonoivu.dongthap.gov.vn/bao-cao"
    await evidence.start_document_ref(db, actor, unit, period, cited_item.code, now=utcnow())
    await assessment.answer_text(db, actor, "12/QĐ-UBND", now=utcnow())
    await assessment.answer_text(db, actor, "24/10/2023", now=utcnow())
    view = await assessment.answer_text(db, actor, "Kế hoạch chuyển đổi số năm 2026", now=utcnow())
    cited = view.evidence[-1]
    assert cited.kind == "document_ref" and cited.label == "12/QĐ-UBND (24/10/2023) Kế hoạch chuyển đổi số năm 2026"
    async with db.session() as session:
        row = await session.get(Evidence, cited.id)
        assert row.doc_date == date(2023, 10, 24)
    view = await evidence.remove_evidence(db, actor, unit, period, cited_item.code, cited.id, now=utcnow())
    assert cited.id not in [e.id for e in view.evidence]
    async with db.session() as session:
        actions = (await session.execute(select(AnswerHistory.action).order_by(AnswerHistory.id))).scalars().all()
    assert actions[-3:] == ["evidence_add", "evidence_add", "evidence_remove"]


@pytest.mark.parametrize("local_hour", [0, 6, 23])
async def test_a_document_dated_today_is_valid_all_day_in_vietnam_and_tomorrow_is_refused(
    db, focal, campaign_clock, local_hour
):
    actor, unit, period, items = focal
    cited_item = next(s for s in items if "document_ref" in s.evidence.kinds)
    # 27/11/2026 at local_hour in Asia/Ho_Chi_Minh; at 00:00–06:59 the UTC date is still the 26th.
    campaign_clock.move_to(datetime(2026, 11, 27, local_hour, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    await evidence.start_document_ref(db, actor, unit, period, cited_item.code, now=utcnow())
    await assessment.answer_text(db, actor, "15/KH-SNV", now=utcnow())
    with pytest.raises(assessment.InputRejected):  # a date after today
        await assessment.answer_text(db, actor, "28/11/2026", now=utcnow())
    asked = await assessment.answer_text(db, actor, "27/11/2026", now=utcnow())
    assert asked.step == "doc_summary" and asked.pending["date"] == "2026-11-27"


async def test_the_summary_and_submission_cover_every_answered_item(db, focal):
    actor, unit, period, items = focal
    summary = await assessment.summary(db, actor, unit, period, now=utcnow())
    assert isinstance(summary, Summary) and summary.total == len(items)
    listed = await assessment.item_list(db, actor, unit, period, now=utcnow())
    assert sum(len(rows) for _, rows in listed.groups) == min(len(items), assessment.LIST_PAGE)
    done = await assessment.submit(db, actor, unit, period, now=utcnow())
    assert done.notice.details["count"] == summary.answered
    async with db.session() as session:
        statuses = set(
            (
                await session.execute(
                    select(Answer.status).where(
                        Answer.unit_id == unit, Answer.period_id == period, Answer.raw.is_not(None)
                    )
                )
            ).scalars()
        )
    assert statuses <= {"submitted", "accepted"}
