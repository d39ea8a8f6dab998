"""Leaders at a glance: what-if on one item and this year against the previous period, on a small
cohort whose every figure is worked out by hand below (dongthap-1397-so, 200 points, ranked on the
DTI value to 4 decimals, not-applicable items shrink the unit's maximum)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.render.results.leader import what_if_screen
from bot.services.access import SYSTEM, load_actor
from bot.services.admin.units_import import import_units
from bot.services.campaign.periods import open_period
from bot.services.results import leader as results
from storage.models import Answer, Membership, Period, Person, PublishedResult, Unit
from storage.types import utcnow

UNITS = (
    "code,name,cohort,has_public_services\n"
    "U000,Sở Một,so-nganh,có\nU001,Sở Hai,so-nganh,có\nU002,Sở Ba,so-nganh,có\nU003,Sở Bốn,so-nganh,không\n"
)
YES = {"yes": True}
# Yes/no items: 1.2 (6 points), 2.1 (6), 3.2 (10), 5.2 (10). 6.1 applies only with public services.
# Now:  U000 1.2+2.1 = 12/200 = 0,0600 (rank 1); U003 5.2 = 10/185 = 0,0541 (2);
#       U001 3.2 = 10/200 = 0,0500 (3); U002 1.2 = 6/200 = 0,0300 (4).
NOW = {"U000": ("1.2", "2.1"), "U001": ("3.2",), "U002": ("1.2",), "U003": ("5.2",)}
# A year before: U001 1.2+2.1+3.2 = 22/200 = 0,1100 (rank 1); U002 3.2+5.2 = 20/200 = 0,1000 (2);
#                U000 1.2 = 6/200 = 0,0300 (3); U003 nothing = 0 (4).
BEFORE = {"U000": ("1.2",), "U001": ("1.2", "2.1", "3.2"), "U002": ("3.2", "5.2"), "U003": ()}
LEADERS = {"U000": 810000, "U001": 810001, "U002": 810002, "U003": 810003}


async def _answer(session, period_id: int, units: dict[str, Unit], answers: dict[str, tuple[str, ...]]) -> None:
    for code, items in answers.items():
        for item in items:
            session.add(
                Answer(period_id=period_id, unit_id=units[code].id, sub_index_code=item, raw=YES, status="submitted")
            )


@pytest.fixture
async def cohort(db):
    """Four departments with a leader each, answers now and (with `previous`) a year before."""
    await import_units(db, SYSTEM, UNITS.encode(), "units.csv", now=utcnow())
    period = await open_period(db, SYSTEM, "dongthap-1397-so", 2026, date(2026, 11, 30))
    async with db.session() as session, session.begin():
        units = {u.code: u for u in (await session.execute(select(Unit))).scalars()}
        for code, telegram_id in LEADERS.items():
            person = Person(telegram_id=telegram_id, full_name=f"Lãnh đạo {code}")
            session.add(person)
            await session.flush()
            session.add(Membership(person_id=person.id, unit_id=units[code].id, role="leader"))
        await _answer(session, period.id, units, NOW)
    return period.id


async def _link_previous_year(db, period_id: int) -> int:
    async with db.session() as session, session.begin():
        units = {u.code: u for u in (await session.execute(select(Unit))).scalars()}
        current = await session.get(Period, period_id)
        previous = Period(
            framework_version_id=current.framework_version_id,
            year=2025,
            title="Đánh giá DTI 2025",
            deadline=date(2025, 11, 30),
            state="published",
        )
        session.add(previous)
        await session.flush()
        await _answer(session, previous.id, units, BEFORE)
        current.previous_period_id = previous.id
        return previous.id


async def leader_of(db, unit_code: str):
    return await load_actor(db, LEADERS[unit_code])


async def test_what_if_on_an_unanswered_item_adds_exactly_its_maximum_and_ranks_the_unit_against_the_cohort(db, cohort):
    outcome = await results.what_if(db, await leader_of(db, "U002"), None, None, "3.2")
    assert outcome.outcome == "gain"
    assert outcome.item.code == "3.2" and outcome.item.max_points == Decimal(10)
    assert outcome.standing.entry.result.points == Decimal(6)
    assert outcome.points_after == Decimal(16) and outcome.gain == Decimal(10)
    assert outcome.standing.entry.result.value == Decimal("0.03")
    assert outcome.value_after == Decimal("0.08")  # 16/200, exact
    assert (outcome.standing.entry.rank, outcome.rank_after) == (4, 1)


async def test_what_if_that_reaches_another_units_value_shares_its_rank(db, cohort):
    outcome = await results.what_if(db, await leader_of(db, "U002"), None, None, "2.1")
    assert outcome.points_after == Decimal(12) and outcome.value_after == Decimal("0.06")
    assert (outcome.standing.entry.rank, outcome.rank_after) == (4, 1)  # 0,0600 ties U000: both first


async def test_what_if_on_an_item_already_at_its_maximum_changes_nothing(db, cohort):
    outcome = await results.what_if(db, await leader_of(db, "U000"), None, None, "1.2")
    assert outcome.outcome == "at_maximum"
    assert outcome.item.points == outcome.item.max_points == Decimal(6)
    assert (outcome.points_after, outcome.rank_after) == (Decimal(12), 1)
    assert outcome.gain == 0


async def test_what_if_on_an_item_that_does_not_apply_to_the_unit_says_so_and_changes_nothing(db, cohort):
    outcome = await results.what_if(db, await leader_of(db, "U003"), None, None, "6.1")
    assert outcome.outcome == "not_applicable"
    assert outcome.standing.entry.result.max_points == Decimal(185)  # its maximum shrank by 6.1's 15 points
    assert (outcome.points_after, outcome.rank_after) == (Decimal(10), 2)


async def test_what_if_reads_the_code_as_people_type_it_and_names_an_unknown_one(db, cohort):
    leader = await leader_of(db, "U001")
    typed = await results.what_if(db, leader, None, None, " 1,2 ")
    assert (typed.outcome, typed.item.code, typed.points_after, typed.rank_after) == ("gain", "1.2", Decimal(16), 1)
    unknown = await results.what_if(db, leader, None, None, "9.9")
    assert (unknown.outcome, unknown.asked, unknown.item) == ("unknown_item", "9.9", None)


async def test_what_if_on_an_item_of_an_index_taken_from_a_published_value_changes_nothing(db, cohort):
    async with db.session() as session, session.begin():
        unit = (await session.execute(select(Unit).where(Unit.code == "U001"))).scalar_one()
        session.add(
            PublishedResult(period_id=cohort, unit_id=unit.id, index_code="6", value=Decimal("0.5"), points=Decimal(25))
        )
    outcome = await results.what_if(db, await leader_of(db, "U001"), None, None, "6.2")
    assert outcome.outcome == "published" and outcome.points_after == Decimal(35)


async def test_the_what_if_choices_list_the_weakest_items_first_and_an_index_lists_its_items(db, cohort):
    leader = await leader_of(db, "U002")
    choices = await results.what_if_menu(db, leader)
    assert choices.weakest[0].lost == max(i.lost for i in choices.weakest) and choices.weakest[0].lost > 0
    assert [i.code for i in choices.indices] == ["1", "2", "3", "4", "5", "6"]
    index = await results.what_if_menu(db, leader, index_code="1")
    assert index.index.code == "1" and [i.code for i in index.items] == ["1.1", "1.2", "1.3"]
    assert next(i for i in index.items if i.code == "1.2").status == "full"


async def test_another_units_leader_cannot_ask_what_if_for_a_unit_not_theirs(db, cohort):
    from bot.services.access import NotAllowed

    async with db.read_session() as session:
        other = (await session.execute(select(Unit).where(Unit.code == "U000"))).scalar_one()
    with pytest.raises(NotAllowed):
        await results.what_if(db, await leader_of(db, "U002"), None, other.id, "3.2")


async def test_year_over_year_compares_points_per_index_totals_and_ranks_with_the_previous_period(db, cohort):
    await _link_previous_year(db, cohort)
    view = await results.year_over_year(db, await leader_of(db, "U000"))
    assert view.missing == ""
    assert (view.before.result.points, view.standing.entry.result.points) == (Decimal(6), Decimal(12))
    assert (view.before.rank, view.standing.entry.rank) == (3, 1)
    assert view.standing.previous_title == "2025" and view.standing.previous_ranked == 4
    by_code = {i.code: (i.points_before, i.points) for i in view.indices}
    assert by_code["1"] == (Decimal(6), Decimal(6))
    assert by_code["2"] == (Decimal(0), Decimal(6))
    assert by_code["3"] == (Decimal(0), Decimal(0))


async def test_year_over_year_without_a_previous_period_says_there_is_none(db, cohort):
    view = await results.year_over_year(db, await leader_of(db, "U000"))
    assert view.missing == "no_previous_period"
    assert view.before is None and all(i.points_before is None for i in view.indices)


async def test_the_what_if_screen_shows_totals_and_an_increase_that_add_up_as_shown(db, cohort):
    outcome = await results.what_if(db, await leader_of(db, "U002"), None, None, "3.2")
    text = what_if_screen(outcome).text
    assert "Chỉ số thành phần: hiện 0/10 → 10/10\n" in text  # the increase is told once, on the total
    assert "Tổng điểm: 6,00 → <b>16,00</b>/200 (tăng 10,00)" in text
    # A total with more decimals than shown (e.g. from min-max items): 53,8251 → 60,4918 is shown as
    # 53,83 → 60,49, so the increase shown is 6,66 (what the reader recomputes), not 6,6667 rounded (6,67).
    entry = outcome.standing.entry
    exact = replace(entry, result=replace(entry.result, points=Decimal("53.8251")))
    odd = replace(outcome, standing=replace(outcome.standing, entry=exact), points_after=Decimal("60.4918"))
    text = what_if_screen(odd).text
    assert "Tổng điểm: 53,83 → <b>60,49</b>/200 (tăng 6,66)" in text and "6,67" not in text
    figures = re.search(r"Tổng điểm: ([\d,]+) → <b>([\d,]+)</b>/200 \(tăng ([\d,]+)\)", text).groups()
    before, after, increase = (Decimal(f.replace(",", ".")) for f in figures)
    assert before + increase == after
