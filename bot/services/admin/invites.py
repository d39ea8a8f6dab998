"""One-time invitations: issue codes for a unit and role; redeem them from /start <code>.

Only the SHA-256 of a code is stored. A code is 24 URL-safe characters (144 bits), valid as a
Telegram deep-link parameter (`https://t.me/<bot>?start=<code>`, at most 64 of [A-Za-z0-9_-]).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.i18n import _
from bot.services.access import Actor
from bot.services.admin.spreadsheets import Row, fold, read_table
from bot.services.errors import InputFileError, InputFileErrors, ServiceError
from bot.services.permissions import Action
from bot.wording import role_label
from storage.db import Database
from storage.models import CAMPAIGN_WIDE_ROLES, ROLES, Invite, Membership, Person, Unit
from storage.queries import unit_by_code

_DURATION = re.compile(r"^\s*(\d+)\s*([dhw])\s*$", re.IGNORECASE)
MAX_PER_CALL = 1000
MAX_VALIDITY = timedelta(days=365)


class ValidityTooLong(ValueError):
    """A duration longer than an invitation may stay valid (MAX_VALIDITY)."""


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    role: str
    unit_code: str
    unit_name: str
    expires_at: datetime


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def parse_expiry(text: str) -> timedelta:
    """'14d', '12h', '2w' → a duration; ValueError otherwise, ValidityTooLong beyond MAX_VALIDITY."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(text)
    amount, unit = int(match.group(1)), match.group(2).lower()
    hours = amount * {"d": 24, "h": 1, "w": 24 * 7}[unit]  # an int: no overflow however many digits
    if hours > MAX_VALIDITY.total_seconds() // 3600:
        raise ValidityTooLong(text)
    return timedelta(hours=hours)


async def create_invites(
    db: Database,
    actor: Actor,
    role: str,
    unit_code: str | None,
    count: int = 1,
    expires_in: timedelta = timedelta(days=14),
    *,
    now: datetime,
) -> list[IssuedInvite]:
    """One-time invitation codes for a role (in a unit, or campaign-wide), issued by `actor`."""
    actor.require(Action.INVITE)
    if role not in ROLES:
        raise ServiceError("unknown_role", role=role, known=", ".join(ROLES))
    if unit_code is None and role not in CAMPAIGN_WIDE_ROLES:
        raise ServiceError("role_needs_unit", role=role)
    if unit_code is not None and role in CAMPAIGN_WIDE_ROLES:
        raise ServiceError("role_is_campaign_wide", role=role)
    if not 1 <= count <= MAX_PER_CALL:
        raise ServiceError("bad_count", count=count, limit=MAX_PER_CALL)
    expires_at = now + expires_in
    async with db.session() as session, session.begin():
        unit = None
        if unit_code is not None:
            unit = await unit_by_code(session, unit_code)
            if unit is None:
                raise ServiceError("unknown_unit", unit=unit_code)
        issued = []
        for _ in range(count):
            code = secrets.token_urlsafe(18)
            session.add(
                Invite(
                    code_hash=hash_code(code),
                    role=role,
                    unit_id=unit.id if unit else None,
                    expires_at=expires_at,
                    created_by=actor.audit_id,
                )
            )
            issued.append(IssuedInvite(code, role, unit.code if unit else "", unit.name if unit else "", expires_at))
        return issued


@dataclass(frozen=True)
class Redeemed:
    person_id: int
    role: str
    unit_id: int | None
    unit_name: str
    already_member: bool


async def redeem_invite(
    db: Database,
    code: str,
    telegram_id: int,
    full_name: str = "",
    username: str = "",
    *,
    now: datetime,
) -> Redeemed:
    """Bind a Telegram account to the invite's unit and role. The code works once: unknown,
    used and expired codes each raise their own reason. The same person using their own code
    again is told they are already in. No permission: the code is the permission."""
    async with db.session() as session, session.begin():
        query = select(Invite).where(Invite.code_hash == hash_code(code.strip())).with_for_update()
        invite = (await session.execute(query)).scalar_one_or_none()
        if invite is None:
            raise ServiceError("invite_unknown")
        person = (await session.execute(select(Person).where(Person.telegram_id == telegram_id))).scalar_one_or_none()
        if invite.used_by is not None:
            if person is not None and invite.used_by == person.id:
                unit = await session.get(Unit, invite.unit_id) if invite.unit_id else None
                return Redeemed(person.id, invite.role, invite.unit_id, unit.name if unit else "", True)
            raise ServiceError("invite_used")
        if invite.revoked_at is not None:
            raise ServiceError("invite_revoked")
        if invite.expires_at <= now:
            raise ServiceError("invite_expired", expired=invite.expires_at)
        full_name = invite.full_name or full_name  # the name the invitation was issued for, else Telegram's
        if person is None:
            person = Person(telegram_id=telegram_id, full_name=full_name, username=username)
            session.add(person)
            await session.flush()
        elif full_name and not person.full_name:
            person.full_name = full_name
        person.reachable = True
        membership = (
            await session.execute(
                select(Membership).where(
                    Membership.person_id == person.id,
                    Membership.unit_id == invite.unit_id if invite.unit_id else Membership.unit_id.is_(None),
                    Membership.role == invite.role,
                )
            )
        ).scalar_one_or_none()
        already = membership is not None and membership.active
        if membership is None:
            session.add(Membership(person_id=person.id, unit_id=invite.unit_id, role=invite.role))
        else:
            membership.active = True
        invite.used_by, invite.used_at = person.id, now
        unit = await session.get(Unit, invite.unit_id) if invite.unit_id else None
        return Redeemed(person.id, invite.role, invite.unit_id, unit.name if unit else "", already)


@dataclass(frozen=True)
class InviteRequest:
    line: int
    unit_code: str | None
    role: str
    count: int


def invite_columns() -> dict[str, tuple[str, ...]]:
    """The invitations sheet's columns and their headings, English or Vietnamese (see spreadsheets.fold)."""
    return {
        "unit_code": ("unit code", "code", "mã đơn vị", "mã", _("Unit code")),
        "role": ("vai trò", _("Role")),
        "count": ("số lượng", "số lời mời", _("Count"), _("Number of invitations")),
    }


def invite_template_headings() -> list[str]:
    return [_("Unit code"), _("Role"), _("Number of invitations")]


def role_code(text: str) -> str | None:
    """A role as a person writes it: its code (focal_point) or its Vietnamese name (đầu mối, lãnh đạo,
    thẩm định viên, điều phối viên, quản trị viên or quản trị), any case, with or without diacritics."""
    wanted = fold(text)
    for role in ROLES:
        if wanted in (fold(role), fold(role_label(role))) or (role == "admin" and wanted == "quan tri"):
            return role
    return None


def invite_requests(header: list[str], rows: list[Row]) -> list[InviteRequest]:
    """Rows `unit_code, role, count` of a sheet, all checked (every bad line reported, none used)."""
    if "role" not in header:
        raise InputFileErrors([InputFileError("missing_column", 1, column=_("Role"))])
    errors, requests = [], []
    for row in rows:
        written, unit, count_text = row.get("role"), row.get("unit_code") or None, row.get("count") or "1"
        role = role_code(written)
        if role is None:
            known = ", ".join(role_label(r) for r in ROLES)
            errors.append(InputFileError("bad_role", row.line, value=written, known=known))
            continue
        if unit is None and role not in CAMPAIGN_WIDE_ROLES:
            errors.append(InputFileError("role_needs_unit", row.line, value=role_label(role)))
            continue
        if unit is not None and role in CAMPAIGN_WIDE_ROLES:
            errors.append(InputFileError("role_is_campaign_wide", row.line, value=role_label(role)))
            continue
        if not count_text.isdigit() or not 1 <= int(count_text) <= MAX_PER_CALL:
            errors.append(InputFileError("bad_count", row.line, value=count_text))
            continue
        requests.append(InviteRequest(row.line, unit, role, int(count_text)))
    if errors:
        raise InputFileErrors(errors)
    return requests


async def invites_from_table(
    db: Database, actor: Actor, data: bytes, file_name: str, *, now: datetime
) -> list[IssuedInvite]:
    """The same checks as the CLI, all-or-nothing: one transaction for every row (the sheet is read
    on a worker thread)."""
    actor.require(Action.INVITE)
    try:
        header, rows = await asyncio.to_thread(read_table, data, file_name, invite_columns())
    except InputFileError as exc:
        raise InputFileErrors([exc]) from exc
    requests = invite_requests(header, rows)
    expires_at = now + timedelta(days=14)
    issued: list[IssuedInvite] = []
    async with db.session() as session, session.begin():
        units = {}
        for request in requests:
            if request.unit_code and request.unit_code not in units:
                units[request.unit_code] = await unit_by_code(session, request.unit_code)
        missing = [
            InputFileError("unknown_unit", r.line, unit=r.unit_code)
            for r in requests
            if r.unit_code and units[r.unit_code] is None
        ]
        if missing:
            raise InputFileErrors(missing)
        for request in requests:
            unit = units.get(request.unit_code) if request.unit_code else None
            for _ in range(request.count):
                code = secrets.token_urlsafe(18)
                session.add(
                    Invite(
                        code_hash=hash_code(code),
                        role=request.role,
                        unit_id=unit.id if unit else None,
                        expires_at=expires_at,
                        created_by=actor.audit_id,
                    )
                )
                issued.append(
                    IssuedInvite(code, request.role, unit.code if unit else "", unit.name if unit else "", expires_at)
                )
    return issued
