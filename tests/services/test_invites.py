"""Invitations: only hashes stored, single use, expiry, their own answer for each failure."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services.access import SYSTEM
from bot.services.admin.invites import create_invites, hash_code, invite_link, parse_expiry, redeem_invite
from bot.services.admin.units_import import import_units
from bot.services.errors import ServiceError
from storage.models import Invite, Membership
from storage.types import utcnow


@pytest.fixture
async def unit_db(db):
    await import_units(db, SYSTEM, "code,name,cohort\nSNV,Sở Nội vụ,so-nganh\n".encode(), "u.csv", now=utcnow())
    return db


async def test_only_the_hash_of_a_code_is_stored(unit_db):
    [issued] = await create_invites(unit_db, SYSTEM, "focal_point", "SNV", now=utcnow())
    async with unit_db.session() as session:
        stored = (await session.execute(select(Invite))).scalar_one()
    assert stored.code_hash == hash_code(issued.code) and issued.code not in stored.code_hash
    assert invite_link("@dti_bot", issued.code) == f"https://t.me/dti_bot?start={issued.code}"


async def test_an_invite_binds_the_account_to_the_unit_and_role_once(unit_db):
    [issued] = await create_invites(unit_db, SYSTEM, "focal_point", "SNV", now=utcnow())
    redeemed = await redeem_invite(unit_db, issued.code, telegram_id=111, full_name="Nguyễn Thị Lan", now=utcnow())
    assert (redeemed.role, redeemed.unit_name, redeemed.already_member) == ("focal_point", "Sở Nội vụ", False)
    again = await redeem_invite(unit_db, issued.code, telegram_id=111, now=utcnow())
    assert again.already_member
    with pytest.raises(ServiceError) as info:
        await redeem_invite(unit_db, issued.code, telegram_id=222, now=utcnow())
    assert info.value.reason == "invite_used"
    async with unit_db.session() as session:
        assert len((await session.execute(select(Membership))).scalars().all()) == 1


async def test_an_expired_invite_and_an_unknown_code_are_refused_for_their_own_reasons(unit_db):
    [issued] = await create_invites(unit_db, SYSTEM, "leader", "SNV", expires_in=timedelta(hours=1), now=utcnow())
    with pytest.raises(ServiceError) as info:
        await redeem_invite(unit_db, issued.code, telegram_id=111, now=utcnow() + timedelta(hours=2))
    assert info.value.reason == "invite_expired"
    with pytest.raises(ServiceError) as info:
        await redeem_invite(unit_db, "not-a-real-code", telegram_id=111, now=utcnow())
    assert info.value.reason == "invite_unknown"


async def test_unit_roles_need_a_unit_and_campaign_roles_do_not(unit_db):
    with pytest.raises(ServiceError) as info:
        await create_invites(unit_db, SYSTEM, "focal_point", None, now=utcnow())
    assert info.value.reason == "role_needs_unit"
    [issued] = await create_invites(unit_db, SYSTEM, "coordinator", None, now=utcnow())
    assert (await redeem_invite(unit_db, issued.code, telegram_id=5, now=utcnow())).unit_id is None
    with pytest.raises(ServiceError):
        await create_invites(unit_db, SYSTEM, "king", "SNV", now=utcnow())


@pytest.mark.parametrize(("text", "hours"), [("14d", 336), ("48h", 48), ("2w", 336), (" 1D ", 24)])
def test_validity_is_read_in_days_hours_or_weeks(text, hours):
    assert parse_expiry(text) == timedelta(hours=hours)


@pytest.mark.parametrize("text", ["", "0d", "14", "two weeks", "-1d"])
def test_a_validity_that_is_not_a_duration_is_refused(text):
    with pytest.raises(ValueError):
        parse_expiry(text)


async def test_a_campaign_wide_role_with_a_unit_is_refused_instead_of_becoming_campaign_wide_silently(unit_db):
    from bot.services.admin.invites import invites_from_table
    from bot.services.errors import InputFileErrors

    for role in ("reviewer", "coordinator", "admin"):
        with pytest.raises(ServiceError) as info:
            await create_invites(unit_db, SYSTEM, role, "SNV", now=utcnow())
        assert info.value.reason == "role_is_campaign_wide"
    sheet = b"unit_code,role,count\nSNV,focal_point,1\nSNV,coordinator,1\n,admin,1\n"
    with pytest.raises(InputFileErrors) as errors:
        await invites_from_table(unit_db, SYSTEM, sheet, "moi.csv", now=utcnow())
    assert [(e.reason, e.line) for e in errors.value.errors] == [("role_is_campaign_wide", 3)]
    async with unit_db.session() as session:
        assert (await session.execute(select(Invite))).scalars().all() == []


async def test_a_revoked_invite_is_refused_for_its_own_reason(unit_db):
    from bot.services.admin.people import revoke_invites

    [issued] = await create_invites(unit_db, SYSTEM, "focal_point", "SNV", now=utcnow())
    async with unit_db.session() as session:
        invite_id = (await session.execute(select(Invite.id))).scalar_one()
    await revoke_invites(unit_db, SYSTEM, [invite_id], now=utcnow())
    with pytest.raises(ServiceError) as info:
        await redeem_invite(unit_db, issued.code, telegram_id=111, now=utcnow())
    assert info.value.reason == "invite_revoked"
    async with unit_db.session() as session:
        assert (await session.execute(select(Membership))).scalars().all() == []


@pytest.mark.parametrize("text", ["99999999d", "366d", "53w", "8785h", "9" * 40 + "w"])
def test_a_validity_beyond_a_year_is_refused_rather_than_overflowing(text):
    from bot.services.admin.invites import ValidityTooLong

    with pytest.raises(ValidityTooLong):
        parse_expiry(text)


def test_a_validity_of_exactly_a_year_is_accepted():
    assert parse_expiry("365d") == timedelta(days=365) == parse_expiry("8760h")
