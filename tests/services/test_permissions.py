"""Who may do what, checked cell by cell: for every role of the permission table (the command line's
`system` row included) and every action, the real use case is called and must be allowed exactly
when the table says so; a refusal changes nothing. The menu offers exactly the table's actions."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.render.menu import menu_actions, menu_screen
from bot.services.access import SYSTEM, Actor, NotAllowed, Role, load_actor
from bot.services.admin import export, framework_workbook, people, reports, units_import
from bot.services.admin.invites import create_invites
from bot.services.appraisal import council, domain, objections, review
from bot.services.assessment import approval, flow
from bot.services.campaign import broadcasts, digest, periods, progress, reminder_policy
from bot.services.demo.seed import DEMO_FRAMEWORK
from bot.services.permissions import PERMISSIONS, UNIT_SCOPED, Action, table_markdown
from bot.services.results import external_values, leader
from bot.services.results.results_import import import_results
from storage.models import (
    AccessChange,
    AnswerHistory,
    AppraiserScope,
    Broadcast,
    Conversation,
    FrameworkVersion,
    Invite,
    Outbox,
    PeriodChange,
    PublishedResult,
    Unit,
    UnitApproval,
)
from storage.types import utcnow
from tests.services.helpers import demo_campaign

# Actions without a menu button: asked in plain words (the deadline) or the command line's.
NO_BUTTON = {Action.DEADLINE, Action.MANAGE_PERIODS, Action.CAMPAIGN_REPORT}
PERSONAS = {"focal_point": 700001, "leader": 700004, "reviewer": 700006, "coordinator": 700007, "admin": 700008}


@pytest.fixture
async def demo(db, store):
    return await demo_campaign(db, store, now=utcnow(), today=date(2026, 11, 22))


async def actor_of(db, role: str) -> Actor:
    return SYSTEM if role == "system" else await load_actor(db, PERSONAS[role])


async def _results_csv(db) -> bytes:
    data = await framework_workbook.framework_data(db, DEMO_FRAMEWORK)
    codes = [index["code"] for index in data["indices"]]
    return (
        "unit_code,unit_name,cohort," + ",".join(codes) + "\nSNV,Sở Nội vụ,so-nganh," + ",".join("0.5" for _ in codes)
    ).encode()


# One call of a real use case per action (the command line's own use case where it has one).
async def attempt(action: Action, db, store, who: Actor, demo, tmp_path) -> None:
    now, period = utcnow(), demo.period_id
    match action:
        case Action.ANSWER:
            await flow.open_current(db, who, now=now)
        case Action.UNIT_REPORT if who.system:
            await reports.unit_report(db, who, period, "SNV", now=now)
        case Action.UNIT_REPORT:
            await reports.my_unit_report(db, who, now=now)
        case Action.VIEW_RESULTS:
            await leader.standing(db, who)
        case Action.DIGEST:
            await digest.toggle_digest(db, who)
        case Action.DEADLINE:
            await progress.deadline_info(db, who, now)
        case Action.REVIEW:
            await review.next_in_queue(db, who)
        case Action.VIEW_PROGRESS:
            await progress.progress_report(db, who)
        case Action.BROADCAST:
            await broadcasts.begin(db, who)
            await broadcasts.cancel(db, who)
        case Action.SET_REMINDERS if who.system:
            await reminder_policy.set_policy(db, who, period, {"overdue_every_working_days": 2})
        case Action.SET_REMINDERS:
            await reminder_policy.policy_view(db, who, now=now)
        case Action.EXPORT:
            await export.export_period(db, store, period, tmp_path / "export", who)
        case Action.MANAGE_PEOPLE:
            await people.overview(db, who, now=now)
        case Action.INVITE:
            await create_invites(db, who, "focal_point", "SNV", now=now)
        case Action.IMPORT_UNITS:
            await units_import.import_units(
                db, who, "code,name,cohort\nZ-TEST,Đơn vị thử,so-nganh\n".encode(), "u.csv", now=now
            )
        case Action.PUBLISH_FRAMEWORK if who.system:
            workbook = framework_workbook.framework_workbook(
                await framework_workbook.framework_data(db, DEMO_FRAMEWORK)
            )
            await framework_workbook.publish_workbook(db, who, workbook, "demo.xlsx")
        case Action.PUBLISH_FRAMEWORK:
            await framework_workbook.expect_framework(db, who)
            await framework_workbook.drop_pending(db, who)
        case Action.MANAGE_PERIODS:
            await import_results(db, who, period, await _results_csv(db), "results.csv")
        case Action.CAMPAIGN_REPORT:
            await reports.campaign_report(db, who, period, now=now)
        case Action.APPROVE:
            await approval.approvals(db, who)
        case Action.MOVE_PHASE:
            await periods.phase_view(db, who, now=now)
            await periods.move_phase(db, who, period, "appraisal", now=now)
            await periods.move_phase(db, who, period, "reopen", reason="thử quyền", now=now)
        case Action.ASSIGN_APPRAISERS:
            await domain.assign(db, who, str(PERSONAS["reviewer"]), period, ["1"], now=now)
        case Action.COUNCIL:
            await council.council_view(db, who, period)
            await objections.next_objection(db, who)
        case Action.OBJECT:
            with contextlib.suppress(objections.ObjectionClosed):  # allowed; the demo's results are not provisional
                await objections.objection_items(db, who, now=now)
        case Action.ENTER_VALUES if who.system:
            csv = "unit_code,sub_index,value,note\nSNV,6.3,0.8,Sở Nội vụ\n".encode()
            await external_values.import_values(db, who, period, csv, "so-lieu.csv", apply=True, now=now)
        case Action.ENTER_VALUES:
            await external_values.external_items(db, who)
            await external_values.open_item(db, who, period, "6.3")
        case _:
            raise AssertionError(f"no use case exercises {action}: add one here")


async def _state(db) -> tuple:
    """What a refused call must leave as it was."""
    async with db.session() as session:
        counts = [
            (await session.execute(select(func.count()).select_from(table))).scalar_one()
            for table in (
                AnswerHistory,
                Outbox,
                AccessChange,
                Invite,
                Unit,
                FrameworkVersion,
                Broadcast,
                PublishedResult,
                PeriodChange,
                UnitApproval,
                AppraiserScope,
            )
        ]
        cursors = sorted(
            (c.person_id, str(c.cursor), c.unit_id) for c in (await session.execute(select(Conversation))).scalars()
        )
    return tuple(counts), tuple(cursors)


@pytest.mark.parametrize("role", list(PERMISSIONS))
async def test_every_cell_of_the_permission_table_is_what_its_use_case_does(db, store, demo, tmp_path, role):
    who = await actor_of(db, role)
    for action in Action:
        if action in PERMISSIONS[role]:
            await attempt(action, db, store, who, demo, tmp_path)  # allowed: carried out, no refusal
            continue
        before = await _state(db)
        with pytest.raises(NotAllowed):
            await attempt(action, db, store, who, demo, tmp_path)
        assert await _state(db) == before, f"{role} × {action}: refused, but something changed"


@pytest.mark.parametrize("role", list(PERSONAS))
async def test_the_menu_offers_exactly_what_the_table_allows(db, demo, role):
    who = await load_actor(db, PERSONAS[role])
    unit = who.unit.unit_id if who.unit else None
    allowed = {a for a in PERMISSIONS[role] if a not in UNIT_SCOPED or unit is not None}
    assert menu_actions(who) == allowed - NO_BUTTON
    assert menu_screen(who).rows  # and the screen is built from the same rows


def test_unit_scoped_actions_need_the_role_in_that_unit_and_unknown_roles_may_nothing():
    focal = Actor(1, 1, "Lan", (Role("focal_point", 5, "SNV", "Sở Nội vụ", "so-nganh"),), None)
    assert focal.may(Action.ANSWER, 5) and not focal.may(Action.ANSWER, 6) and not focal.may(Action.ANSWER)
    admin = Actor(2, 2, "Bảo", (Role("admin", None, "", "", ""),), None)
    assert admin.may(Action.EXPORT) and not admin.may(Action.ANSWER, 5)
    stranger = Actor(3, 3, "?", (Role("visitor", None, "", "", ""),), None)
    assert not any(stranger.may(a, 5) for a in Action)
    with pytest.raises(NotAllowed):
        focal.require(Action.EXPORT)
    unitless = Actor(4, 4, "Cũ", (Role("focal_point", None, "", "", ""),), None)  # old or hand-made data
    assert not any(unitless.may(Action.ANSWER, unit) for unit in (None, 5, 6))


def test_the_command_line_acts_as_system_and_is_audited_as_nobody():
    assert SYSTEM.system and SYSTEM.audit_id is None and SYSTEM.may(Action.IMPORT_UNITS)
    assert not SYSTEM.may(Action.ANSWER, 1) and not SYSTEM.may(Action.REVIEW)


def test_the_table_prints_as_markdown_with_a_row_per_action():
    table = table_markdown().splitlines()
    assert table[0].startswith("| action | scope | focal_point |") and len(table) == 2 + len(Action)
    assert "| export | campaign |" in table_markdown()
