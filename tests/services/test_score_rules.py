"""The conversation, the ranking and the streaming export ask scoring's one rule: they agree on a
min-max item's points and on when they stop being provisional — with a unit deactivated and an
answer left stale by a framework edit — and the export lists the stale answer without breaking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select, update

from bot.services.access import SYSTEM, Actor, Role
from bot.services.admin.export import export_period
from bot.services.assessment.context import assessment, item_points
from bot.services.results.scores import compact_period_scores, period_scores
from scoring import quantize
from storage.models import Answer, Unit
from tests.services.helpers import demo_campaign

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ITEM = "3.4"  # internet bandwidth, min-max within the departments' cohort
COHORT = "so-nganh"


def focal_point(unit: Unit) -> Actor:
    return Actor(0, 0, "", (Role("focal_point", unit.id, unit.code, unit.name, unit.cohort),), unit.id)


async def conversation_points(db, period_id: int, unit: Unit) -> tuple[Decimal, bool]:
    async with assessment(db, focal_point(unit), unit.id, period_id, NOW, write=False) as ctx:
        points, provisional = await item_points(ctx, ctx.item(ITEM), ctx.answers[ITEM])
    places = ctx.framework.rounding.sub_index or 4
    return quantize(points, places), provisional


async def assert_everyone_agrees(db, period_id: int, expect_provisional: bool) -> None:
    full = await period_scores(db, period_id)
    async with db.read_session() as session:
        compact = await compact_period_scores(session, period_id)
        units = (await session.execute(select(Unit).where(Unit.cohort == COHORT, Unit.active.is_(True)))).scalars()
        answered = set(
            (
                await session.execute(
                    select(Answer.unit_id).where(
                        Answer.period_id == period_id,
                        Answer.sub_index_code == ITEM,
                        Answer.raw.is_not(None),
                        Answer.verified_points.is_(None),
                    )
                )
            ).scalars()
        )
    ranking = full.cohorts[COHORT]
    checked = 0
    for unit in units:
        sub = ranking.entry(unit.code).result.subs[ITEM]
        if unit.id not in answered or sub.status == "unanswered":  # not answered, or unreadable
            continue
        places = full.framework.rounding.sub_index or 4
        assert await conversation_points(db, period_id, unit) == (quantize(sub.points, places), sub.provisional)
        assert sub.provisional is expect_provisional
        checked += 1
    assert checked >= 3
    assert [(e.code, e.rank, e.result.points) for e in compact.cohorts[COHORT].entries] == [
        (e.code, e.rank, e.result.points) for e in ranking.entries
    ]


async def test_a_min_max_score_is_provisional_and_final_alike_in_the_chat_the_ranking_and_the_export(
    db, store, tmp_path
):
    report = await demo_campaign(db, store, now=NOW, today=date(2026, 11, 22))
    period_id = report.period_id
    async with db.session() as session, session.begin():
        units = list((await session.execute(select(Unit).where(Unit.cohort == COHORT).order_by(Unit.code))).scalars())
        of_item = select(Answer).where(Answer.period_id == period_id, Answer.sub_index_code == ITEM)
        given = {a.unit_id: a for a in (await session.execute(of_item)).scalars()}
        silent = [u for u in units if u.id not in given or given[u.id].raw is None]
        assert len(silent) >= 2
        silent[0].active = False  # a unit closed down: it no longer takes part, nor holds the range open
        stale = next(a for a in given.values() if a.raw is not None and a.verified_points is None)
        stale.raw = {"yes": True}  # the item was a yes/no question when this was stored
    await assert_everyone_agrees(db, period_id, expect_provisional=True)

    result = await export_period(db, store, period_id, tmp_path / "out", SYSTEM)  # the stale answer included
    async with db.read_session() as session:
        stored = (await session.execute(select(func.count()).where(Answer.period_id == period_id))).scalar_one()
    assert result.answers == stored
    assert load_workbook(result.xlsx, read_only=True).sheetnames  # a whole workbook

    # Every active unit submits a readable value (the stale one is answered again): the range is final.
    async with db.session() as session, session.begin():
        await session.execute(update(Answer).where(Answer.id == stale.id).values(raw={"value": "40"}))
        for n, unit in enumerate(silent[1:]):
            session.add(Answer(period_id=period_id, unit_id=unit.id, sub_index_code=ITEM, raw={"value": str(10 + n)}))
        await session.execute(
            update(Answer)
            .where(Answer.period_id == period_id, Answer.sub_index_code == ITEM, Answer.status == "draft")
            .values(status="submitted")
        )
    await assert_everyone_agrees(db, period_id, expect_provisional=False)
