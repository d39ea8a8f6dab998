"""Numbers typed by a focal point, read the Vietnamese way (a dot groups thousands, a comma marks
decimals), bounded by the framework: refused, asked about when ambiguous, confirmed when unusual.
And stored values that no longer fit never break a screen: the review queue, the item, the summary
and the leader's results show the rest and name the item."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot.render.appraisal.review import review_screen
from bot.render.assessment.cards import item_screen, summary_screen
from bot.render.results.leader import rank_screen
from bot.services.access import load_actor
from bot.services.appraisal import review
from bot.services.assessment import flow as assessment
from bot.services.assessment.views import ItemView
from bot.services.demo.seed import seed_demo
from bot.services.results import leader as results
from storage.models import Answer, Period
from storage.types import utcnow

FOCAL, LEADER, REVIEWER = 700001, 700004, 700006  # the demo's Sở Nội vụ and its reviewer
PEOPLE, MONEY, ARTICLES, BANDWIDTH = "3.1", "2.3", "1.3", "3.4"  # whole / decimal ratio, count, min-max


@pytest.fixture
async def focal(db, store):
    await seed_demo(db, store, today=date(2026, 11, 22), now=utcnow())
    actor = await load_actor(db, FOCAL)
    view = await assessment.open_current(db, actor, now=utcnow())
    return actor, view.ref.unit_id, view.ref.period_id


async def stored(db, unit_id, period_id, code):
    async with db.session() as session:
        return (
            await session.execute(
                select(Answer).where(
                    Answer.unit_id == unit_id, Answer.period_id == period_id, Answer.sub_index_code == code
                )
            )
        ).scalar_one_or_none()


async def revision(db, unit, period, code):
    answer = await stored(db, unit, period, code)
    return answer.revision if answer else 0


async def test_a_dot_groups_thousands_and_a_comma_marks_decimals(db, focal):
    actor, unit, period = focal
    await assessment.open_item(db, actor, unit, period, PEOPLE, now=utcnow())
    await assessment.answer_text(db, actor, "1.234/1.500", now=utcnow())
    assert (await stored(db, unit, period, PEOPLE)).raw == {"a": "1234", "b": "1500"}  # not 1,23/1,5

    await assessment.open_item(db, actor, unit, period, ARTICLES, now=utcnow())
    await assessment.answer_text(db, actor, "1.000", now=utcnow())
    assert (await stored(db, unit, period, ARTICLES)).raw == {"count": "1000"}  # not 1

    # Thousands grouped by a space (as pasted from Excel or Word) are one number, not a over b.
    await assessment.open_item(db, actor, unit, period, PEOPLE, now=utcnow())
    asked = await assessment.answer_text(db, actor, "1 234", now=utcnow())
    assert asked.step == "b" and asked.pending == {"a": "1234"}
    await assessment.answer_text(db, actor, "1 500", now=utcnow())
    assert (await stored(db, unit, period, PEOPLE)).raw == {"a": "1234", "b": "1500"}
    await assessment.open_item(db, actor, unit, period, PEOPLE, now=utcnow())
    await assessment.answer_text(db, actor, "45 50", now=utcnow())  # two numbers typed with a space
    assert (await stored(db, unit, period, PEOPLE)).raw == {"a": "45", "b": "50"}

    await assessment.open_item(db, actor, unit, period, MONEY, now=utcnow())
    await assessment.answer_text(db, actor, "１２，５ / 1.234,5", now=utcnow())  # full-width digits are digits
    assert (await stored(db, unit, period, MONEY)).raw == {"a": "12.5", "b": "1234.5"}


@pytest.mark.parametrize(
    ("typed", "reason", "field"),
    [
        ("12,5/20", "not_an_integer", "a"),  # 12,5 người
        ("20/12,5", "not_an_integer", "b"),
        ("111111111111111111111111111/5", "too_long", "a"),
        ("5/2.000.000", "out_of_range", "b"),  # above the framework's hard bound
        ("30/20", "a_above_b", "a"),
    ],
)
async def test_a_number_the_item_does_not_allow_is_refused_and_changes_nothing(db, focal, typed, reason, field):
    actor, unit, period = focal
    await assessment.open_item(db, actor, unit, period, PEOPLE, now=utcnow())
    before = await revision(db, unit, period, PEOPLE)
    with pytest.raises(assessment.InputRejected) as refused:
        await assessment.answer_text(db, actor, typed, now=utcnow())
    assert (refused.value.error.reason, refused.value.error.field) == (reason, field)
    assert await revision(db, unit, period, PEOPLE) == before


async def test_an_ambiguous_number_asks_which_reading_is_meant_and_stores_the_chosen_one(db, focal):
    actor, unit, period = focal
    await assessment.open_item(db, actor, unit, period, MONEY, now=utcnow())
    asked = await assessment.answer_text(db, actor, "12.500", now=utcnow())
    assert isinstance(asked, ItemView) and asked.step == assessment.PICK
    assert asked.pending["choices"] == ["12500", "12.5"] and asked.pending["text"] == "12.500"
    assert await stored(db, unit, period, MONEY) is None  # nothing stored while asking

    view = await assessment.answer_choice(db, actor, unit, period, MONEY, "r", "1", now=utcnow())  # 12,5
    assert view.step == "b" and view.pending == {"a": "12.5"}
    await assessment.answer_text(db, actor, "25", now=utcnow())
    assert (await stored(db, unit, period, MONEY)).raw == {"a": "12.5", "b": "25"}

    await assessment.open_item(db, actor, unit, period, MONEY, now=utcnow())
    first = await assessment.answer_text(db, actor, "12.500/15.000", now=utcnow())  # both ambiguous: asked in turn
    assert first.pending["pick"] == "a"
    second = await assessment.answer_choice(db, actor, unit, period, MONEY, "r", "0", now=utcnow())
    assert second.step == assessment.PICK and second.pending["pick"] == "b"
    await assessment.answer_choice(db, actor, unit, period, MONEY, "r", "0", now=utcnow())
    assert (await stored(db, unit, period, MONEY)).raw == {"a": "12500", "b": "15000"}


async def test_a_reading_that_breaks_a_rule_is_refused_and_the_question_stays_open(db, focal):
    actor, unit, period = focal
    await assessment.open_item(db, actor, unit, period, MONEY, now=utcnow())
    await assessment.answer_text(db, actor, "1.500/2", now=utcnow())  # 1500 or 1,5 million, of 2
    with pytest.raises(assessment.InputRejected) as refused:
        await assessment.answer_choice(db, actor, unit, period, MONEY, "r", "0", now=utcnow())
    assert refused.value.error.reason == "a_above_b"
    await assessment.answer_choice(db, actor, unit, period, MONEY, "r", "1", now=utcnow())
    assert (await stored(db, unit, period, MONEY)).raw == {"a": "1.5", "b": "2"}


@pytest.mark.parametrize(("kind", "value"), [("r", "2"), ("r", "-1"), ("r", "x"), ("k", ""), ("k", "1")])
async def test_a_forged_or_stale_reading_button_gets_a_clear_answer_and_changes_nothing(db, focal, kind, value):
    actor, unit, period = focal
    await assessment.open_item(db, actor, unit, period, MONEY, now=utcnow())
    await assessment.answer_text(db, actor, "12.500", now=utcnow())  # asking which reading: choices 0 and 1 only
    with pytest.raises(assessment.ChoiceExpired):
        await assessment.answer_choice(db, actor, unit, period, MONEY, kind, value, now=utcnow())
    await assessment.answer_text(db, actor, "7", now=utcnow())  # typing instead: a fresh answer, the old buttons expire
    with pytest.raises(assessment.ChoiceExpired):
        await assessment.answer_choice(db, actor, unit, period, MONEY, "r", "0", now=utcnow())
    assert await stored(db, unit, period, MONEY) is None


async def test_an_unusual_number_asks_are_you_sure_and_is_stored_only_when_confirmed(db, focal):
    actor, unit, period = focal
    await assessment.open_item(db, actor, unit, period, ARTICLES, now=utcnow())
    before = await revision(db, unit, period, ARTICLES)
    asked = await assessment.answer_text(db, actor, "5.000", now=utcnow())  # above the plausible 2.000 articles
    assert asked.step == assessment.CONFIRM and asked.pending == {"raw": {"count": "5000"}, "unusual": ["count"]}
    assert "Bạn chắc chứ?" in item_screen(asked).text
    assert await revision(db, unit, period, ARTICLES) == before

    again = await assessment.navigate(db, actor, unit, period, ARTICLES, "edit", now=utcnow())  # ✏️ type again
    assert again.step == "answer"
    with pytest.raises(assessment.ChoiceExpired):
        await assessment.answer_choice(db, actor, unit, period, ARTICLES, "k", "", now=utcnow())

    await assessment.answer_text(db, actor, "5.000", now=utcnow())
    await assessment.answer_choice(db, actor, unit, period, ARTICLES, "k", "", now=utcnow())  # ✅ yes, save it
    answer = await stored(db, unit, period, ARTICLES)
    assert answer.raw == {"count": "5000"} and answer.self_points == Decimal(6)


async def unreadable_answers(db, unit, period):
    """Values stored before the bounds existed (or edited by hand): 27 digits, and no number at all."""
    long = "1" * 27
    async with db.session() as session, session.begin():
        # straight to appraisal: these tests are about the values, not the leader's approval
        await session.execute(update(Period).where(Period.id == period).values(unit_approval=False))
        for code, raw in ((PEOPLE, {"a": long, "b": long}), (BANDWIDTH, {"value": "nhanh"})):
            answer = (
                await session.execute(
                    select(Answer).where(
                        Answer.unit_id == unit, Answer.period_id == period, Answer.sub_index_code == code
                    )
                )
            ).scalar_one_or_none()
            if answer is None:
                answer = Answer(period_id=period, unit_id=unit, sub_index_code=code, revision=1)
                session.add(answer)
            answer.raw, answer.self_points, answer.verified_points = raw, Decimal(10), None
            answer.status, answer.submitted_at = "submitted", datetime(2026, 1, 1, tzinfo=UTC)


async def test_a_stored_value_that_no_longer_fits_never_breaks_a_screen(db, focal, caplog):
    actor, unit, period = focal
    await unreadable_answers(db, unit, period)

    reviewer = await load_actor(db, REVIEWER)
    item = await review.next_in_queue(db, reviewer)  # the oldest submitted: the 27-digit one
    assert item.sub.code in (PEOPLE, BANDWIDTH) and item.unreadable
    screen = review_screen(item)
    assert f"chỉ số {item.sub.code}" in screen.text and "✅" in str(screen.rows)  # still decidable

    summary = await assessment.summary(db, actor, unit, period, now=utcnow())
    assert {code for code, _ in summary.unreadable} == {PEOPLE, BANDWIDTH}
    text = summary_screen(summary).text
    assert PEOPLE in text and BANDWIDTH in text and "không đọc được" in text

    view = await assessment.open_item(db, actor, unit, period, PEOPLE, now=utcnow())
    assert view.unreadable and "trả lời lại" in item_screen(view).text

    leader = await load_actor(db, LEADER)
    standing = await results.standing(db, leader)
    assert set(standing.unreadable) == {PEOPLE, BANDWIDTH}
    assert "Không đọc được câu trả lời đã lưu của chỉ số 3.1, 3.4" in rank_screen(standing).text
    assert "1" * 27 not in caplog.text and "nhanh" not in caplog.text  # logs name the item, not the value
