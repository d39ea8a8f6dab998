"""Periods move through their states; a period's ranking comes from what is stored."""

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from bot.services.access import SYSTEM
from bot.services.admin.frameworks import publish_framework
from bot.services.admin.units_import import import_units
from bot.services.campaign.periods import change_state, list_periods, open_period
from bot.services.demo.seed import seed_demo
from bot.services.errors import InputFileErrors, ServiceError
from bot.services.results.results_import import import_results
from bot.services.results.scores import period_scores
from storage.models import Answer, FrameworkVersion
from storage.types import utcnow
from tests.services.helpers import department_period
from tests.services.test_answers import write


async def test_a_period_is_locked_unlocked_and_published_but_never_moved_backwards(db):
    period = await department_period(db)
    assert (await change_state(db, SYSTEM, period.id, "lock", now=utcnow())).state == "locked"
    with pytest.raises(ServiceError) as no_reason:  # going back needs a reason
        await change_state(db, SYSTEM, period.id, "unlock", now=utcnow())
    assert no_reason.value.reason == "reason_required"
    assert (await change_state(db, SYSTEM, period.id, "unlock", "gia hạn", now=utcnow())).state == "open"
    assert (await change_state(db, SYSTEM, period.id, "publish", now=utcnow())).state == "published"
    with pytest.raises(ServiceError) as info:
        await change_state(db, SYSTEM, period.id, "unlock", "gia hạn", now=utcnow())
    assert info.value.reason == "bad_transition"
    with pytest.raises(ServiceError):
        await change_state(db, SYSTEM, 999, "lock", now=utcnow())
    [listed] = await list_periods(db)
    assert listed.as_dict() == {
        "id": period.id,
        "framework": "dongthap-1397-so",
        "year": 2026,
        "title": listed.title,
        "state": "published",
        "deadline": "2026-11-30",
    }


async def test_publishing_the_same_framework_twice_stores_it_once(db):
    first = await publish_framework(db, SYSTEM, "dongthap-1397-so")
    second = await publish_framework(db, SYSTEM, "dongthap-1397-so")
    assert first.created and not second.created and first.version_id == second.version_id
    async with db.session() as session:
        assert len((await session.execute(select(FrameworkVersion))).scalars().all()) == 1


async def test_verified_points_replace_self_points_in_the_period_ranking(db):
    period = await department_period(db, units=3)
    await write(db, period.id, "U000", "1.2", {"yes": True})
    await write(db, period.id, "U001", "1.2", {"yes": True})
    await write(db, period.id, "U001", "3.2", {"yes": True})
    async with db.session() as session, session.begin():
        answer = (await session.execute(select(Answer).where(Answer.sub_index_code == "3.2"))).scalar_one()
        answer.verified_points = D(0)
    cohort = (await period_scores(db, period.id)).cohorts["so-nganh"]
    ranks = {e.code: (e.rank, e.result.points) for e in cohort.entries}
    assert ranks == {"U000": (1, D(6)), "U001": (1, D(6)), "U002": (3, D(0))}


async def test_imported_index_values_stand_in_for_sub_indices(db):
    await import_units(db, SYSTEM, "code,name\nDNG,Đà Nẵng\nHUE,Huế\n".encode(), "u.csv", now=utcnow())
    period = await open_period(db, SYSTEM, "qd922-tinh", 2022, date(2023, 6, 30))
    csv = (
        "unit_code,unit_name,cohort,1,2,3,4,5,7,8,9\n"
        "DNG,Đà Nẵng,,1.0000,0.9000,0.8253,0.8487,0.7578,0.8575,0.7836,0.5197\n"
        "HUE,Huế,,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n"
    )
    report = await import_results(db, SYSTEM, period.id, csv.encode())
    assert (report.units, report.values) == (2, 16)
    cohort = (await period_scores(db, period.id)).cohorts[""]
    assert [(e.code, e.rank, e.result.points) for e in cohort.entries] == [("DNG", 1, D("800.175")), ("HUE", 2, D(500))]


async def test_results_for_an_unknown_unit_are_refused_whole(db):
    period = await open_period(db, SYSTEM, "qd922-tinh", 2022, date(2023, 6, 30))
    csv = "unit_code,unit_name,cohort,1,2,3,4,5,7,8,9\nXXX,?,,1,1,1,1,1,1,1,1\n"
    with pytest.raises(InputFileErrors) as info:  # every bad line at once (issue 16)
        await import_results(db, SYSTEM, period.id, csv.encode())
    assert [(e.reason, e.line) for e in info.value.errors] == [("unknown_unit", 2)]


async def test_the_demo_province_ranks_departments_and_communes_in_their_own_cohorts(db, store):
    report = await seed_demo(db, store, today=date(2026, 11, 22), now=utcnow())
    assert report.units == 50 and report.evidence_files > 50
    scores = await period_scores(db, report.period_id)
    assert list(scores.cohorts) == ["so-nganh", "xa-phuong"]
    assert len(scores.cohorts["so-nganh"].entries) == 30 and len(scores.cohorts["xa-phuong"].entries) == 20
    answered = sum(1 for c in scores.cohorts.values() for e in c.entries if e.result.counts.unanswered < 21)
    assert 30 <= answered <= 42  # about 70 % of the units
    assert scores.period.deadline == date(2026, 11, 29)
    last_year = await period_scores(db, report.previous_period_id)
    assert all(e.result.indices["1"].source == "published" for c in last_year.cohorts.values() for e in c.entries)
    with pytest.raises(ServiceError) as info:
        await seed_demo(db, store, now=utcnow())
    assert info.value.reason == "not_empty"


async def test_the_streaming_scores_rank_exactly_like_the_full_computation(db, store):
    from bot.services.results.scores import compact_period_scores

    report = await seed_demo(db, store, today=date(2026, 11, 22), now=utcnow())
    full = await period_scores(db, report.period_id)
    async with db.read_session() as session:
        compact = await compact_period_scores(session, report.period_id)

    def flatten(s):
        return [
            (c.code, e.code, e.rank, e.result.points, e.result.value) for c in s.cohorts.values() for e in c.entries
        ]

    assert flatten(compact) == flatten(full)
