"""Writing answers: audit rows on every change, none for a repeat, and concurrent writers."""

import asyncio

from sqlalchemy import func, select

from bot.services.admin.frameworks import framework_of
from bot.services.assessment.answers import write_answer
from storage.lean import lean_in
from storage.models import Answer, AnswerHistory, FrameworkVersion, Period, Unit
from storage.queries import unit_by_code
from storage.types import utcnow
from tests.services.helpers import department_period


async def write(db, period_id, unit_code, code, raw, person=None):
    async with db.session() as session, session.begin():
        period = await session.get(Period, period_id)
        framework = framework_of(await session.get(FrameworkVersion, period.framework_version_id))
        unit = await unit_by_code(session, unit_code)
        answer, changed = await write_answer(
            await lean_in(session),
            period_id=period_id,
            unit_id=unit.id,
            sub=framework.sub_index(code),
            raw=raw,
            person_id=person,
            now=utcnow(),
        )
        return answer.revision, changed


async def history(db):
    async with db.session() as session:
        return (await session.execute(select(AnswerHistory).order_by(AnswerHistory.id))).scalars().all()


async def test_every_change_to_an_answer_leaves_an_audit_row_with_old_and_new(db):
    period = await department_period(db)
    assert await write(db, period.id, "U000", "1.2", {"yes": True}) == (1, True)
    assert await write(db, period.id, "U000", "1.2", {"yes": False}) == (2, True)
    rows = await history(db)
    assert [(r.revision, r.action) for r in rows] == [(1, "answer"), (2, "answer")]
    assert rows[0].old is None and rows[0].new["raw"] == {"yes": True} and rows[0].new["self_points"] == "6"
    assert rows[1].old["raw"] == {"yes": True} and rows[1].new["raw"] == {"yes": False}


async def test_the_same_answer_given_again_changes_nothing_and_writes_no_audit_row(db):
    period = await department_period(db)
    await write(db, period.id, "U000", "2.3", {"a": "12,5", "b": 25})  # 2.3 is in million dong: decimals
    assert await write(db, period.id, "U000", "2.3", {"a": "12.5", "b": "25"}) == (1, False)
    assert len(await history(db)) == 1


async def test_two_hundred_concurrent_writers_finish_without_a_lock_error(db):
    period = await department_period(db, units=200)
    results = await asyncio.gather(
        *(write(db, period.id, f"U{n:03d}", "2.3", {"a": n % 7, "b": 7}) for n in range(200))
    )
    assert all(changed for _, changed in results)
    async with db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Answer))).scalar_one() == 200
        assert (await session.execute(select(func.count()).select_from(AnswerHistory))).scalar_one() == 200


async def test_concurrent_writers_of_one_item_never_lose_a_revision(db):
    period = await department_period(db, units=1)
    await asyncio.gather(*(write(db, period.id, "U000", "4.3", {"count": n}) for n in range(1, 21)))
    async with db.session() as session:
        answer = (await session.execute(select(Answer))).scalar_one()
        revisions = [r for (r,) in (await session.execute(select(AnswerHistory.revision)))]
        unit = (await session.execute(select(Unit))).scalar_one()
    assert answer.revision == 20 and sorted(revisions) == list(range(1, 21))
    assert answer.unit_id == unit.id
