"""Help and unknown input per role (every line names only what the person may use), and the menu's
glance: the name, the days left to the deadline, the unit's progress."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select, update

from bot.i18n import _
from bot.render.actions import parse
from bot.render.help import LABELS, help_screen, not_a_focal_point_screen, unknown_input_screen
from bot.render.menu import MENU_ROWS, menu_screen
from bot.services.access import SYSTEM, Actor, Role, load_actor
from bot.services.admin.invites import create_invites, hash_code, redeem_invite
from bot.services.campaign.glance import glance
from bot.services.permissions import UNIT_SCOPED
from storage.models import Answer, Invite, Period, Unit
from storage.types import utcnow
from tests.services.helpers import demo_campaign

SNV = Role("focal_point", 1, "SNV", "Sở Nội vụ", "so-nganh")
ROLES = {
    "focal_point": (SNV,),
    "leader": (Role("leader", 1, "SNV", "Sở Nội vụ", "so-nganh"),),
    "reviewer": (Role("reviewer", None, "", "", ""),),
    "coordinator": (Role("coordinator", None, "", "", ""),),
    "admin": (Role("admin", None, "", "", ""),),
    "leader+coordinator": (Role("leader", 1, "SNV", "Sở Nội vụ", "so-nganh"), Role("coordinator", None, "", "", "")),
    "focal_point+leader": (SNV, Role("leader", 1, "SNV", "Sở Nội vụ", "so-nganh")),
    "reviewer+admin": (Role("reviewer", None, "", "", ""), Role("admin", None, "", "", "")),
}
ACTION_OF = {key: action for row in MENU_ROWS for action, _label, key in row}


def person(roles: str) -> Actor:
    return Actor(1, 42, "Lê Minh Tuấn", ROLES[roles], None)


def may_use(actor: Actor, key: str) -> bool:
    action = ACTION_OF[key]
    unit = actor.unit
    return actor.may(action, unit.unit_id if unit and action in UNIT_SCOPED else None)


def named_buttons(text: str) -> set[str]:
    """The menu keys of the buttons a text names (“📋 Tổng quan”)."""
    by_label = {_(label): key for key, label in LABELS.items()}
    return {by_label[quoted] for quoted in re.findall(r"“([^”]+)”", text) if quoted in by_label}


@pytest.mark.parametrize("roles", list(ROLES))
def test_every_button_and_command_the_help_names_is_one_the_person_may_use(roles):
    actor = person(roles)
    screen = help_screen(actor)
    named = named_buttons(screen.text)
    assert named, screen.text
    assert all(may_use(actor, key) for key in named), named
    assert ("/tiep" in screen.text) == may_use(actor, "assess")
    for row in screen.rows:
        for button in row:
            key = parse(button.action).arg
            assert key == "menu" or may_use(actor, key)


@pytest.mark.parametrize("roles", list(ROLES))
def test_unknown_input_and_tiep_offer_only_what_the_person_may_use(roles):
    actor = person(roles)
    unknown = unknown_input_screen(actor)
    assert ("/tiep —" in unknown.text) == may_use(actor, "assess")
    assert ("“xếp hạng”" in unknown.text) == may_use(actor, "rank")
    for screen in (unknown, not_a_focal_point_screen(actor)):
        keys = [parse(b.action).arg for row in screen.rows for b in row]
        assert "menu" in keys
        assert all(key in ("menu", "help") or may_use(actor, key) for key in keys)


def test_a_leader_who_also_coordinates_sees_both_roles_tools_and_still_no_tiep():
    text = help_screen(person("leader+coordinator")).text
    assert "Kết quả của đơn vị" in text and "Điều phối" in text and "“📣 Gửi thông báo”" in text
    assert "/tiep" not in text


def test_the_help_names_each_button_with_the_menus_own_label():
    shared = [(key, label) for row in MENU_ROWS for _action, label, key in row if key in LABELS]
    assert len(shared) == len(LABELS)  # every button the help names is in the menu
    assert all(LABELS[key] == label for key, label in shared)


def test_the_menu_greets_by_the_stored_name_else_telegrams_first_name():
    leader = person("leader")
    assert "Xin chào Lê Minh Tuấn!" in menu_screen(leader, first_name="Tuan").text
    nameless = Actor(1, 42, "", ROLES["leader"], None)
    assert "Xin chào Tuan!" in menu_screen(nameless, first_name="Tuan").text
    assert "Xin chào!" in menu_screen(nameless).text


@pytest.fixture
async def demo(db, store):
    return await demo_campaign(db, store, now=utcnow(), today=date(2026, 11, 22))


async def test_the_glance_counts_the_days_left_on_the_campaigns_calendar_and_the_units_answers(db, demo):
    leader = await load_actor(db, 700004)
    seen = await glance(db, leader, utcnow())  # Tuesday 24/11/2026, deadline a week after 22/11
    async with db.read_session() as session:
        period = (await session.execute(select(Period).where(Period.state == "open"))).scalars().one()
        unit = (await session.execute(select(Unit).where(Unit.code == "SNV"))).scalar_one()
        answered = len(
            (
                await session.execute(
                    select(Answer.id).where(
                        Answer.period_id == period.id, Answer.unit_id == unit.id, Answer.raw.is_not(None)
                    )
                )
            ).all()
        )
    assert (seen.name, seen.deadline, seen.days_left) == ("Lê Minh Tuấn", date(2026, 11, 29), 5)
    assert seen.answered == answered and 0 < answered < seen.total
    assert seen.units_total is None  # a leader does not follow the other units
    text = menu_screen(leader, seen).text
    assert "⏳ Hạn chót: 29/11/2026 — còn 5 ngày" in text
    assert f"Đơn vị đã trả lời {answered}/{seen.total} chỉ số" in text

    coordinator = await load_actor(db, 700007)
    seen = await glance(db, coordinator, utcnow())
    assert seen.total is None and seen.units_total and 0 <= seen.units_submitted <= seen.units_total
    assert seen.days_left == 5


async def test_a_newcomer_is_named_as_invited_rather_than_by_their_telegram_name(db, demo):
    [issued] = await create_invites(db, SYSTEM, "focal_point", "SNV", now=utcnow())
    async with db.session() as session, session.begin():
        await session.execute(
            update(Invite).where(Invite.code_hash == hash_code(issued.code)).values(full_name="Trần Thị Bích")
        )
    await redeem_invite(db, issued.code, 799999, "User 799999", now=utcnow())
    newcomer = await load_actor(db, 799999)
    assert newcomer.full_name == "Trần Thị Bích"
    assert (await glance(db, newcomer, utcnow())).name == "Trần Thị Bích"


@pytest.mark.parametrize("roles", list(ROLES))
def test_the_help_names_every_menu_button_the_person_has(roles):
    actor = person(roles)
    named = named_buttons(help_screen(actor).text)
    has = {key for key in LABELS if may_use(actor, key)} - {"assess"}  # “📝 Tự đánh giá” is /tiep's line
    assert has <= named, has - named


def test_the_help_explains_the_new_buttons_only_to_the_roles_that_have_them():
    focal, leader, coordinator = person("focal_point"), person("leader"), person("coordinator")
    for who in (focal, leader):
        assert "“✋ Kiến nghị kết quả”" in help_screen(who).text
    assert "“🖊 Phê duyệt kết quả tự đánh giá”" not in help_screen(focal).text
    assert "gửi lãnh đạo đơn vị phê duyệt" in help_screen(focal).text  # the focal point learns where it goes
    text = help_screen(coordinator).text
    for label in (
        "🏛 Hội đồng thẩm định",
        "🧭 Phân công thẩm định",
        "⚖️ Xem xét kiến nghị",
        "🔢 Nhập số liệu cơ quan khác",
    ):
        assert f"“{label}”" in text
    assert "Quay lại giai đoạn trước phải nêu lý do" in text
    assert "“✋ Kiến nghị kết quả”" not in text
    reviewer = help_screen(person("reviewer")).text
    assert "được phân công cho bạn" in reviewer and "Hội đồng thẩm định" not in reviewer
    admin = help_screen(person("admin")).text
    assert "“🔢 Nhập số liệu cơ quan khác”" in admin and "“⚖️ Xem xét kiến nghị”" not in admin


def test_the_coordinators_help_tells_of_a_typed_send_time_cancelling_a_scheduled_send_and_reminding_one_unit():
    text = help_screen(person("coordinator")).text
    assert "ngày giờ bạn nhập (ví dụ 25/11/2026 14:00)" in text
    assert "đã hẹn giờ có thể hủy" in text
    assert "“🔔 Nhắc …”" in text
    for role in ("focal_point", "leader", "reviewer"):  # who cannot send messages is not told how
        assert "hẹn giờ" not in help_screen(person(role)).text and "🔔 Nhắc" not in help_screen(person(role)).text


async def test_after_the_self_assessment_the_menu_says_the_phase_and_its_date_instead_of_the_days_left(db, demo):
    leader, coordinator = await load_actor(db, 700004), await load_actor(db, 700007)
    during = menu_screen(leader, await glance(db, leader, utcnow())).text
    assert "⏳ Hạn chót: 29/11/2026" in during and "🗓" not in during  # the days left say enough

    async with db.session() as session, session.begin():
        await session.execute(
            update(Period)
            .where(Period.state == "open")
            .values(state="locked", supplement_deadline=date(2026, 12, 15), feedback_deadline=date(2026, 12, 30))
        )
    for who in (leader, coordinator):
        text = menu_screen(who, await glance(db, who, utcnow())).text
        assert "🗓 Đang thẩm định; đơn vị bổ sung hồ sơ đến 15/12/2026." in text
        assert "Hạn chót" not in text

    async with db.session() as session, session.begin():
        await session.execute(update(Period).where(Period.state == "locked").values(state="provisional"))
    text = menu_screen(leader, await glance(db, leader, utcnow())).text
    assert "🗓 Đã công bố kết quả tạm thời; đơn vị gửi kiến nghị đến 30/12/2026." in text
