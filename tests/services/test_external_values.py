"""External values (item 6.3 of the demo, the satisfaction index the Department of Home Affairs
publishes): a coordinator enters each unit's figure in the chat or from a file; each is stored as the
unit's accepted answer, audited, counted in the results, and the unit reads who provided it."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.services.access import SYSTEM, NotAllowed, load_actor
from bot.services.assessment import flow
from bot.services.errors import ServiceError
from bot.services.results import external_values, leader
from bot.services.results.scores import period_scores
from scoring import InvalidAnswer
from storage.models import Answer, AnswerHistory, Period, Unit
from tests.services.helpers import demo_campaign

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ITEM = "6.3"
COORDINATOR, FOCAL_SNV, LEADER_SNV = 700007, 700001, 700004


@pytest.fixture
async def demo(db, store):
    return await demo_campaign(db, store, now=NOW, today=date(2026, 11, 22))


async def answer_of(db, period_id: int, unit_code: str) -> Answer | None:
    async with db.read_session() as session:
        return (
            await session.execute(
                select(Answer)
                .join(Unit, Unit.id == Answer.unit_id)
                .where(Answer.period_id == period_id, Unit.code == unit_code, Answer.sub_index_code == ITEM)
            )
        ).scalar_one_or_none()


async def test_a_coordinator_enters_each_units_figure_in_the_chat_and_the_unit_reads_who_provided_it(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    overview = await external_values.external_items(db, coordinator)
    item = next(i for i in overview.items if i.code == ITEM)
    assert (item.entered, item.provider, item.input) == (0, "Sở Nội vụ", "value") and item.expected > 20

    view = await external_values.open_item(db, coordinator, demo.period_id, ITEM)
    first = view.asking
    assert first is not None and first.value is None
    saved = await external_values.type_value(db, coordinator, "0,85; Sở Nội vụ, Quyết định 12/QĐ-SNV", now=NOW)
    assert saved.saved.unit_id == first.unit_id and saved.saved.points == Decimal("8.5")
    assert saved.asking is not None and saved.asking.unit_id != first.unit_id  # the next unit is asked
    second = saved.asking
    kept = await external_values.type_value(db, coordinator, "0,9", now=NOW)  # the source is kept
    assert kept.saved.unit_id == second.unit_id and kept.saved.note == "Sở Nội vụ, Quyết định 12/QĐ-SNV"
    with pytest.raises(InvalidAnswer):  # above 1: refused, nothing saved, the same unit still asked
        await external_values.type_value(db, coordinator, "1,5", now=NOW)
    assert (await external_values.values_cursor(db, coordinator))["unit"] == kept.asking.unit_id

    async with db.read_session() as session:
        unit = await session.get(Unit, first.unit_id)
        coordinator_id = coordinator.person_id
        answer = (
            await session.execute(
                select(Answer).where(
                    Answer.unit_id == unit.id, Answer.period_id == demo.period_id, Answer.sub_index_code == ITEM
                )
            )
        ).scalar_one()
        history = (
            (await session.execute(select(AnswerHistory).where(AnswerHistory.answer_id == answer.id))).scalars().all()
        )
    assert (answer.status, answer.verified_points, answer.answered_by) == ("accepted", Decimal("8.5"), coordinator_id)
    assert answer.note == "Sở Nội vụ, Quyết định 12/QĐ-SNV" and answer.raw == {"value": "0.85"}
    assert [(h.action, h.changed_by, h.old) for h in history] == [("external_value", coordinator_id, None)]

    scores = await period_scores(db, demo.period_id)
    assert scores.cohort_of(unit.code).entry(unit.code).result.subs[ITEM].points == Decimal("8.5")
    # Correcting a figure is audited with what it was.
    await external_values.open_item(db, coordinator, demo.period_id, ITEM, unit_id=first.unit_id)
    await external_values.type_value(db, coordinator, "0,8", now=NOW)
    async with db.read_session() as session:
        changes = (
            (await session.execute(select(AnswerHistory).where(AnswerHistory.answer_id == answer.id))).scalars().all()
        )
    assert [c.old["verified_points"] if c.old else None for c in changes] == [None, "8.5"]

    # The unit (Sở Nội vụ's leader) reads who provided its figure.
    await external_values.open_item(db, coordinator, demo.period_id, ITEM, unit_id=await unit_id_of(db, "SNV"))
    await external_values.type_value(db, coordinator, "0,4; Sở Nội vụ", now=NOW)
    summary = await flow.summary(db, await load_actor(db, FOCAL_SNV), None, None, now=NOW)
    assert [(x.code, x.points, x.provider) for x in summary.external] == [(ITEM, Decimal("4"), "Sở Nội vụ")]
    weakest = await leader.weakest(db, await load_actor(db, LEADER_SNV), limit=50)
    line = next(i for i in weakest.items if i.code == ITEM)
    assert (line.reason, line.provider, line.points) == ("external", "Sở Nội vụ", Decimal("4"))


async def unit_id_of(db, code: str) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(Unit.id).where(Unit.code == code))).scalar_one()


async def test_a_focal_point_cannot_enter_figures_and_a_final_period_takes_none(db, demo):
    with pytest.raises(NotAllowed):
        await external_values.open_item(db, await load_actor(db, FOCAL_SNV), demo.period_id, ITEM)
    coordinator = await load_actor(db, COORDINATOR)
    with pytest.raises(ServiceError) as refused:  # an item the units answer themselves
        await external_values.open_item(db, coordinator, demo.period_id, "1.1")
    assert refused.value.reason == "not_external"
    async with db.session() as session, session.begin():
        (await session.get(Period, demo.period_id)).state = "published"
    with pytest.raises(ServiceError) as closed:
        await external_values.open_item(db, coordinator, demo.period_id, ITEM)
    assert closed.value.reason == "values_closed"
    assert await answer_of(db, demo.period_id, "SNV") is None


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_a_file_of_figures_is_previewed_row_by_row_and_its_good_rows_saved(db, demo, kind):
    rows = [
        ["Mã đơn vị", "Mã chỉ số", "Giá trị", "Ghi chú"],
        ["SNV", "6.3", "0,75", "Sở Nội vụ, QĐ 5/QĐ-SNV"],
        ["STC", "6.3", "0.6", ""],
        ["KHONG-CO", "6.3", "0,5", ""],  # unknown unit
        ["SYT", "9.9", "0,5", ""],  # unknown item
        ["SYT", "1.1", "1", ""],  # answered by the units themselves
        ["SGDDT", "6.3", "1,2", ""],  # out of range
        ["SNV", "6.3", "0,7", ""],  # twice
    ]
    data = "\n".join(";".join(str(c) for c in row) for row in rows).encode() if kind == "csv" else xlsx(rows)
    preview = await external_values.import_values(
        db, SYSTEM, demo.period_id, data, f"so-lieu.{kind}", apply=False, now=NOW
    )
    assert [(r.line, r.unit_code, r.points) for r in preview.good] == [
        (2, "SNV", Decimal("7.5")),
        (3, "STC", Decimal("6")),
    ]
    assert [(r.line, r.error.reason) for r in preview.refused] == [
        (4, "unknown_unit"),
        (5, "unknown_item_code"),
        (6, "not_external_item"),
        (7, "external_out_of_range"),
        (8, "duplicate_value"),
    ]
    assert await answer_of(db, demo.period_id, "SNV") is None  # the preview saves nothing

    done = await external_values.import_values(db, SYSTEM, demo.period_id, data, f"so-lieu.{kind}", apply=True, now=NOW)
    assert len(done.good) == 2 and done.applied
    snv = await answer_of(db, demo.period_id, "SNV")
    assert (snv.status, snv.verified_points, snv.note, snv.answered_by) == (
        "accepted",
        Decimal("7.5"),
        "Sở Nội vụ, QĐ 5/QĐ-SNV",
        None,
    )
    again = await external_values.import_values(
        db, SYSTEM, demo.period_id, data, f"so-lieu.{kind}", apply=False, now=NOW
    )
    assert all(r.unchanged for r in again.good)
