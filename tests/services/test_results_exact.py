"""Results stay exact on every screen: a draft typed by one unit never moves another unit's min-max
points, and every demo unit's total and maximum are the same in the focal point's summary, the
leader's standing, the export workbook, the Word report's data and the ranking CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.render.results.ranking import ranking_csv, ranking_records
from bot.services.access import SYSTEM, Actor, Role, load_actor
from bot.services.admin.export import export_period
from bot.services.admin.reports import unit_report
from bot.services.assessment import flow
from bot.services.assessment.context import assessment, item_points
from bot.services.assessment.views import ItemView
from bot.services.results import leader
from bot.services.results.scores import compact_period_scores, period_scores
from scoring import quantize
from storage.models import Answer, Unit
from tests.services.helpers import demo_campaign

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
ITEM = "3.4"  # internet bandwidth: min-max (x / max x) within the departments' cohort
COHORT = "so-nganh"
FOCAL_SNV = 700001  # the demo's focal point of Sở Nội vụ


def as_role(role: str, unit: Unit) -> Actor:
    return Actor(0, 0, "", (Role(role, unit.id, unit.code, unit.name, unit.cohort),), unit.id)


async def item_in_chat(db, period_id: int, unit: Unit) -> tuple[Decimal, bool] | None:
    async with assessment(db, as_role("focal_point", unit), unit.id, period_id, NOW, write=False) as ctx:
        answer = ctx.answers.get(ITEM)
        if answer is None or not answer.given or answer.verified_points is not None:
            return None
        return await item_points(ctx, ctx.item(ITEM), answer)


async def figures(db, period_id: int) -> dict[str, tuple[Decimal, Decimal]]:
    """Every department's item points and total, as the ranking counts them."""
    scores = await period_scores(db, period_id)
    return {e.code: (e.result.subs[ITEM].points, e.result.points) for e in scores.cohorts[COHORT].entries}


async def test_a_draft_typed_by_one_unit_never_moves_another_units_min_max_points(db, store):
    report = await demo_campaign(db, store, now=NOW, today=TODAY)
    period_id = report.period_id
    async with db.read_session() as session:
        units = list((await session.execute(select(Unit).where(Unit.cohort == COHORT).order_by(Unit.code))).scalars())
        snv = next(u for u in units if u.code == "SNV")
        given = {
            a.unit_id: a
            for a in (
                await session.execute(
                    select(Answer).where(Answer.period_id == period_id, Answer.sub_index_code == ITEM)
                )
            ).scalars()
        }
    assert ITEM not in {a.sub_index_code for a in given.values() if a.unit_id == snv.id and a.status != "draft"}
    peers = [u for u in units if u.id != snv.id and u.id in given and given[u.id].raw is not None]
    assert len(peers) >= 3
    before = await figures(db, period_id)
    chat_before = {u.code: await item_in_chat(db, period_id, u) for u in peers}
    async with db.read_session() as session:
        compact_before = [
            (e.code, e.result.points) for e in (await compact_period_scores(session, period_id)).cohorts[COHORT].entries
        ]

    # Sở Nội vụ's focal point types 100000 (the item's largest allowed value) and confirms it: a draft.
    focal = await load_actor(db, FOCAL_SNV)
    await flow.open_item(db, focal, snv.id, period_id, ITEM, now=NOW)
    shown = await flow.answer_text(db, focal, "100000", now=NOW)
    if isinstance(shown, ItemView) and shown.step == "confirm":
        shown = await flow.answer_choice(db, focal, snv.id, period_id, ITEM, "k", "", now=NOW)
    async with db.read_session() as session:
        draft = (
            await session.execute(
                select(Answer).where(
                    Answer.period_id == period_id, Answer.unit_id == snv.id, Answer.sub_index_code == ITEM
                )
            )
        ).scalar_one()
    assert draft.status == "draft" and Decimal(str(draft.raw["value"])) == 100000

    after = await figures(db, period_id)
    for unit in peers:  # nobody else's points moved: the ranking, the streaming export, the chat
        assert after[unit.code] == before[unit.code], unit.code
        assert await item_in_chat(db, period_id, unit) == chat_before[unit.code], unit.code
    async with db.read_session() as session:
        compact_after = {
            e.code: e.result.points for e in (await compact_period_scores(session, period_id)).cohorts[COHORT].entries
        }
    assert {c: p for c, p in compact_before if c != "SNV"} == {c: p for c, p in compact_after.items() if c != "SNV"}
    # Its own draft is scored against the submitted peers: the highest value earns the maximum, provisionally.
    scores = await period_scores(db, period_id)
    own = scores.cohorts[COHORT].entry("SNV").result.subs[ITEM]
    assert (own.points, own.provisional) == (Decimal(10), True)
    assert await item_in_chat(db, period_id, snv) == (Decimal(10), True)

    # Once submitted, the value counts in the range and the peers' points move (so the test can fail).
    async with db.session() as session, session.begin():
        await session.execute(update(Answer).where(Answer.id == draft.id).values(status="submitted"))
    moved = await figures(db, period_id)
    assert any(moved[u.code][0] < before[u.code][0] for u in peers if given[u.id].verified_points is None)


async def test_every_demo_units_total_and_maximum_agree_on_every_screen(db, store, tmp_path):
    report = await demo_campaign(db, store, now=NOW, today=TODAY)
    period_id = report.period_id
    scores = await period_scores(db, period_id)
    fw = scores.framework
    places = fw.rounding.points

    def exact(value: Decimal) -> Decimal:
        return quantize(value, places)

    async with db.read_session() as session:
        units = list((await session.execute(select(Unit).where(Unit.active.is_(True)).order_by(Unit.code))).scalars())

    exported = await export_period(db, store, period_id, tmp_path / "export", SYSTEM)
    sheet = load_workbook(exported.xlsx, read_only=True)["Xếp hạng"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    code_col, points_col, max_col = header.index("Mã đơn vị"), header.index("Điểm"), header.index("Tối đa")
    in_export = {r[code_col]: (exact(Decimal(str(r[points_col]))), exact(Decimal(str(r[max_col])))) for r in rows}
    in_csv = {
        r["unit_code"]: (Decimal(r["points"]), Decimal(r["max_points"]))
        for r in csv.DictReader(io.StringIO(ranking_csv(ranking_records(fw, scores.cohorts))))
    }

    seen_shrunk = False
    for unit in units:
        entry = scores.cohort_of(unit.code).entry(unit.code)
        expected = (exact(entry.result.points), exact(entry.result.max_points))
        summary = await flow.summary(db, as_role("focal_point", unit), unit.id, period_id, now=NOW)
        standing = await leader.standing(db, as_role("leader", unit), unit_id=unit.id)
        word = await unit_report(db, SYSTEM, period_id, unit.code, now=NOW)
        on_screens = {
            "summary": (exact(summary.points), exact(summary.max_points)),
            "summary lines": (
                exact(sum((x.points for x in summary.lines), Decimal(0))),
                exact(sum((x.max_points for x in summary.lines), Decimal(0))),
            ),
            "leader": (exact(standing.entry.result.points), exact(standing.entry.result.max_points)),
            "report": (exact(word.entry.result.points), exact(sum((x.max_points for x in word.indices), Decimal(0)))),
            "export": in_export[unit.code],
            "csv": in_csv[unit.code],
        }
        assert on_screens == dict.fromkeys(on_screens, expected), unit.code
        seen_shrunk |= entry.result.max_points < fw.total_points
    # the external item counts in everybody's maximum; departments without public services have a smaller one
    assert scores.cohort_of("SNV").entry("SNV").result.max_points == fw.total_points
    assert seen_shrunk
