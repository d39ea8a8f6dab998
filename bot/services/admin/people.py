"""Who holds which role, and taking access back: remove a role, revoke unused invitations.

Both the command line (as `SYSTEM`) and administrators in the chat use these. Every removal and
revocation writes an `access_change` row (who, when, from where). A removed role counts from the
person's next update: the acting person is read from the database on every update, never cached.
The campaign always keeps one administrator: removing the last one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.services.access import Actor
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from storage.db import Database
from storage.models import CAMPAIGN_WIDE_ROLES, ROLES, AccessChange, Invite, Membership, Person, Unit
from storage.queries import unit_by_code

CAMPAIGN = None  # the unit filter of campaign-wide roles and invitations (unit_id NULL)
_ALL = object()  # no unit filter


@dataclass(frozen=True)
class RoleHolder:
    """One active role of one person."""

    membership_id: int
    person_id: int
    telegram_id: int | None
    full_name: str
    role: str
    unit_id: int | None
    unit_code: str
    unit_name: str
    since: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "telegram_id": self.telegram_id,
            "name": self.full_name,
            "role": self.role,
            "unit": self.unit_code or None,
            "since": self.since.isoformat(),
        }


@dataclass(frozen=True)
class OpenInvite:
    """An invitation nobody has used yet, not revoked and not expired (its code is never kept)."""

    id: int
    role: str
    unit_id: int | None
    unit_code: str
    unit_name: str
    expires_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "unit": self.unit_code or None,
            "expires": self.expires_at.isoformat(),
        }


@dataclass(frozen=True)
class People:
    """The roles and open invitations of one unit (`unit_id` None: campaign-wide), or of everyone."""

    holders: list[RoleHolder]
    invites: list[OpenInvite]
    unit_id: int | None = None
    unit_code: str = ""
    unit_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"people": [h.as_dict() for h in self.holders], "invites": [i.as_dict() for i in self.invites]}


@dataclass(frozen=True)
class UnitCount:
    unit_id: int
    code: str
    name: str
    people: int
    invites: int


@dataclass(frozen=True)
class Overview:
    """For the chat: how many roles and open invitations are campaign-wide and in each unit."""

    campaign_people: int
    campaign_invites: int
    units: list[UnitCount]


def _unit_filter(column: Any, unit: Any) -> Any:
    return column.is_(None) if unit is CAMPAIGN else column == unit


async def _holders(
    session: Any, unit: Any = _ALL, membership_ids: list[int] | None = None, person_id: int | None = None
) -> list[RoleHolder]:
    query = (
        select(Membership, Person, Unit.code, Unit.name)
        .join(Person, Person.id == Membership.person_id)
        .outerjoin(Unit, Unit.id == Membership.unit_id)
        .where(Membership.active.is_(True))
        .order_by(Unit.code.is_not(None), Unit.code, Membership.role, Person.full_name, Membership.id)
    )
    if unit is not _ALL:
        query = query.where(_unit_filter(Membership.unit_id, unit))
    if membership_ids is not None:
        query = query.where(Membership.id.in_(membership_ids))
    if person_id is not None:
        query = query.where(Membership.person_id == person_id)
    return [
        RoleHolder(m.id, p.id, p.telegram_id, p.full_name, m.role, m.unit_id, code or "", name or "", m.created_at)
        for m, p, code, name in (await session.execute(query)).all()
    ]


def _open(now: datetime) -> Any:
    return (Invite.used_by.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now)


async def _invites(
    session: Any, now: datetime, unit: Any = _ALL, ids: list[int] | None = None, up_to_id: int | None = None
) -> list[OpenInvite]:
    query = (
        select(Invite, Unit.code, Unit.name)
        .outerjoin(Unit, Unit.id == Invite.unit_id)
        .where(*_open(now))
        .order_by(Invite.id)
    )
    if unit is not _ALL:
        query = query.where(_unit_filter(Invite.unit_id, unit))
    if ids is not None:
        query = query.where(Invite.id.in_(ids))
    if up_to_id is not None:
        query = query.where(Invite.id <= up_to_id)
    return [
        OpenInvite(i.id, i.role, i.unit_id, code or "", name or "", i.expires_at)
        for i, code, name in (await session.execute(query)).all()
    ]


async def _unit_of(session: Any, unit_code: str | None) -> Unit | None:
    if unit_code is None:
        return None
    unit = await unit_by_code(session, unit_code)
    if unit is None:
        raise ServiceError("unknown_unit", unit=unit_code)
    return unit


# ---- the command line -------------------------------------------------------------------------


async def list_people(db: Database, actor: Actor, unit_code: str | None = None, *, now: datetime) -> People:
    """Everyone with a role and every open invitation, or those of one unit."""
    actor.require(Action.MANAGE_PEOPLE)
    async with db.read_session() as session:
        unit = await _unit_of(session, unit_code)
        scope = _ALL if unit is None else unit.id
        holders, invites = await _holders(session, scope), await _invites(session, now, scope)
    return People(holders, invites, unit.id if unit else None, unit.code if unit else "", unit.name if unit else "")


async def roles_to_remove(
    db: Database, actor: Actor, telegram_id: int, role: str, unit_code: str | None
) -> list[RoleHolder]:
    """The person's active role(s) that `people remove` would take away, for the confirmation.

    A campaign-wide role is taken away wherever it was recorded (older invitations could give one
    a unit); a unit role needs its unit when the person holds it in several."""
    actor.require(Action.MANAGE_PEOPLE)
    if role not in ROLES:
        raise ServiceError("unknown_role", role=role, known=", ".join(ROLES))
    if unit_code is not None and role in CAMPAIGN_WIDE_ROLES:
        raise ServiceError("role_is_campaign_wide", role=role)
    async with db.read_session() as session:
        unit = await _unit_of(session, unit_code)
        person = (await session.execute(select(Person).where(Person.telegram_id == telegram_id))).scalar_one_or_none()
        if person is None:
            raise ServiceError("person_unknown", telegram_id=telegram_id)
        held = [h for h in await _holders(session, person_id=person.id) if h.role == role]
    if unit is not None:
        held = [h for h in held if h.unit_id == unit.id]
    if not held:
        raise ServiceError("role_not_held", name=person.full_name or telegram_id, role=role)
    if len({h.unit_id for h in held}) > 1 and unit is None and role not in CAMPAIGN_WIDE_ROLES:
        raise ServiceError("role_in_several_units", role=role, units=", ".join(h.unit_code for h in held))
    return held


async def invites_to_revoke(
    db: Database,
    actor: Actor,
    ids: list[int],
    unit_code: str | None = None,
    all_unused: bool = False,
    *,
    now: datetime,
) -> list[OpenInvite]:
    """The open invitations `people revoke` would revoke: the given ids (each must be open), or all
    unused ones (of one unit with `unit_code`)."""
    actor.require(Action.MANAGE_PEOPLE)
    async with db.read_session() as session:
        if all_unused:
            unit = await _unit_of(session, unit_code)
            return await _invites(session, now, _ALL if unit is None else unit.id)
        found = await _invites(session, now, ids=ids)
    missing = sorted(set(ids) - {i.id for i in found})
    if missing:
        raise ServiceError("invite_not_open", ids=", ".join(str(i) for i in missing))
    return found


# ---- both ---------------------------------------------------------------------------------------


def _via(by: Actor) -> str:
    return "cli" if by.system else "chat"


async def _remove(session: Any, membership_ids: list[int], by: Actor, now: datetime) -> list[RoleHolder]:
    # Every active admin row is locked first: two administrators removing each other at once
    # cannot both pass the last-admin check.
    admins = (
        (
            await session.execute(
                select(Membership.id)
                .where(Membership.role == "admin", Membership.active.is_(True))
                .order_by(Membership.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    holders = await _holders(session, membership_ids=membership_ids)
    if not holders or len(holders) != len(set(membership_ids)):
        raise ServiceError("role_already_removed")
    removing = {h.membership_id for h in holders}
    if any(h.role == "admin" for h in holders) and not set(admins) - removing:
        raise ServiceError("last_admin")
    query = select(Membership).where(Membership.id.in_(removing)).with_for_update()
    for membership in (await session.execute(query)).scalars().all():
        membership.active = False
    for holder in holders:
        session.add(
            AccessChange(
                action="role_removed",
                person_id=holder.person_id,
                role=holder.role,
                unit_id=holder.unit_id,
                changed_by=by.audit_id,
                via=_via(by),
                changed_at=now,
            )
        )
    await session.flush()
    return holders


async def _revoke(session: Any, ids: list[int], by: Actor, now: datetime) -> list[OpenInvite]:
    query = select(Invite).where(Invite.id.in_(ids), *_open(now)).with_for_update()
    rows = (await session.execute(query)).scalars().all()
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing or not ids:
        raise ServiceError("invite_not_open", ids=", ".join(str(i) for i in missing))
    revoked = await _invites(session, now, ids=ids)
    for invite in rows:
        invite.revoked_at = now
        session.add(
            AccessChange(
                action="invite_revoked",
                invite_id=invite.id,
                role=invite.role,
                unit_id=invite.unit_id,
                changed_by=by.audit_id,
                via=_via(by),
                changed_at=now,
            )
        )
    await session.flush()
    return revoked


async def remove_roles(db: Database, by: Actor, membership_ids: list[int], *, now: datetime) -> list[RoleHolder]:
    """Take the roles away (one transaction, one audit row each, naming `by`: a person, or the
    command line). Refused when it would leave the campaign without an administrator, or when a
    role was already removed meanwhile."""
    by.require(Action.MANAGE_PEOPLE)
    async with db.session() as session, session.begin():
        return await _remove(session, membership_ids, by, now)


async def revoke_invites(db: Database, by: Actor, ids: list[int], *, now: datetime) -> list[OpenInvite]:
    """Revoke these invitations (one transaction, one audit row each); if any was used, revoked or
    expired meanwhile, it is named and nothing changes."""
    by.require(Action.MANAGE_PEOPLE)
    async with db.session() as session, session.begin():
        return await _revoke(session, ids, by, now)


# ---- the chat -------------------------------------------------------------------------------------


async def overview(db: Database, actor: Actor, *, now: datetime) -> Overview:
    """Campaign-wide counts and the units that have people or open invitations, by code."""
    actor.require(Action.MANAGE_PEOPLE)
    async with db.read_session() as session:
        people = dict(
            (
                await session.execute(
                    select(Membership.unit_id, func.count())
                    .where(Membership.active.is_(True))
                    .group_by(Membership.unit_id)
                )
            ).all()
        )
        invites = dict(
            (
                await session.execute(select(Invite.unit_id, func.count()).where(*_open(now)).group_by(Invite.unit_id))
            ).all()
        )
        ids = [u for u in set(people) | set(invites) if u is not None]
        units = (
            (await session.execute(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.code))).scalars().all()
            if ids
            else []
        )
    return Overview(
        people.get(None, 0),
        invites.get(None, 0),
        [UnitCount(u.id, u.code, u.name, people.get(u.id, 0), invites.get(u.id, 0)) for u in units],
    )


async def _listing(session: Any, unit_id: int | None, now: datetime) -> People:
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    if unit_id is not None and unit is None:
        raise ServiceError("unknown_item")
    holders, invites = await _holders(session, unit_id), await _invites(session, now, unit_id)
    return People(holders, invites, unit_id, unit.code if unit else "", unit.name if unit else "")


async def unit_people(db: Database, actor: Actor, unit_id: int | None, *, now: datetime) -> People:
    """The roles and open invitations of one unit, or the campaign-wide ones (`unit_id` None)."""
    actor.require(Action.MANAGE_PEOPLE)
    async with db.read_session() as session:
        return await _listing(session, unit_id, now)


async def role_to_remove(db: Database, actor: Actor, membership_id: int, unit_id: int | None) -> RoleHolder:
    """The role an administrator is about to remove, for the confirmation."""
    actor.require(Action.MANAGE_PEOPLE)
    async with db.read_session() as session:
        holders = await _holders(session, membership_ids=[membership_id])
    if not holders:
        raise ServiceError("role_already_removed")
    if holders[0].unit_id != unit_id:
        raise ServiceError("unknown_item")  # not the role of the list the button was on
    return holders[0]


async def remove_role(
    db: Database, actor: Actor, membership_id: int, unit_id: int | None, *, now: datetime
) -> tuple[RoleHolder, People]:
    """Remove one role (confirmed in the chat); the role removed and the unit's list as it is now."""
    actor.require(Action.MANAGE_PEOPLE)
    async with db.session() as session, session.begin():
        shown = await _holders(session, membership_ids=[membership_id])
        if shown and shown[0].unit_id != unit_id:
            raise ServiceError("unknown_item")  # not the role of the list the button was on
        [removed] = await _remove(session, [membership_id], actor, now)
        listing = await _listing(session, unit_id, now)
    return removed, listing


async def unit_invites_to_revoke(db: Database, actor: Actor, unit_id: int | None, *, now: datetime) -> People:
    """The unit's open invitations an administrator is about to revoke, for the confirmation."""
    actor.require(Action.MANAGE_PEOPLE)
    listing = await unit_people(db, actor, unit_id, now=now)
    if not listing.invites:
        raise ServiceError("no_invites_to_revoke")
    return listing


async def revoke_unit_invites(
    db: Database, actor: Actor, unit_id: int | None, up_to_id: int, *, now: datetime
) -> tuple[int, People]:
    """Revoke the unit's open invitations shown in the confirmation (ids up to `up_to_id`: one
    issued after the question stays); how many, and the unit's list as it is now."""
    actor.require(Action.MANAGE_PEOPLE)
    async with db.session() as session, session.begin():
        shown = await _invites(session, now, unit_id, up_to_id=up_to_id)
        if not shown:
            raise ServiceError("no_invites_to_revoke")
        revoked = await _revoke(session, [i.id for i in shown], actor, now)
        listing = await _listing(session, unit_id, now)
    return len(revoked), listing
