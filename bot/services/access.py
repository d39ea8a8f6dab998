"""Who is acting: a person with their memberships and the unit they are working for.

Loaded once per update by the middleware; every use case checks it against the permission table
(`actor.require(Action.X)`, bot.services.permissions). The command line acts as `SYSTEM`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.errors import ServiceError
from bot.services.permissions import PERMISSIONS, UNIT_SCOPED, Action
from storage.db import Database
from storage.lean import Lean, statement
from storage.models import CAMPAIGN_WIDE_ROLES, Conversation


class NotAllowed(ServiceError):
    reason = "not_allowed"


@dataclass(frozen=True)
class Role:
    role: str
    unit_id: int | None
    unit_code: str
    unit_name: str
    cohort: str


@dataclass(frozen=True)
class Actor:
    person_id: int
    telegram_id: int
    full_name: str
    roles: tuple[Role, ...]
    active_unit_id: int | None
    system: bool = False  # the command line (SYSTEM), not a person

    def units(self) -> list[Role]:
        """One entry per unit the person belongs to, in a stable order."""
        seen: dict[int, Role] = {}
        for role in self.roles:
            if role.unit_id is not None and role.unit_id not in seen:
                seen[role.unit_id] = role
        return sorted(seen.values(), key=lambda r: r.unit_name)

    def has(self, role: str, unit_id: int | None = None) -> bool:
        """A unit role in that unit, or a campaign-wide role (unit_id None) anywhere."""
        return any(r.role == role and (r.unit_id is None or r.unit_id == unit_id) for r in self.roles)

    def roles_in(self, unit_id: int | None) -> set[str]:
        return {r.role for r in self.roles if r.unit_id == unit_id or r.unit_id is None}

    @property
    def unit(self) -> Role | None:
        """The unit the person works for now: the chosen one, or the only one."""
        units = self.units()
        chosen = next((r for r in units if r.unit_id == self.active_unit_id), None)
        if chosen is not None:
            return chosen
        return units[0] if len(units) == 1 else None

    @property
    def needs_unit_choice(self) -> bool:
        return self.unit is None and len(self.units()) > 1

    def may(self, action: Action, unit_id: int | None = None) -> bool:
        """The permission table (bot.services.permissions) says yes: a unit-scoped action in that unit
        (or through a campaign-wide role), any other action through any role held."""
        scoped = action in UNIT_SCOPED
        for r in self.roles:
            if action not in PERMISSIONS.get(r.role, ()):
                continue
            # A unit role acts only in its own unit; one stored without a unit (old or hand-made
            # data) acts nowhere rather than everywhere.
            if not scoped:
                return True
            if r.unit_id is None if r.role in _ANYWHERE else (r.unit_id is not None and r.unit_id == unit_id):
                return True
        return False

    def require(self, action: Action, unit_id: int | None = None) -> None:
        """Every use case starts here; refused with no effect."""
        if not self.may(action, unit_id):
            raise NotAllowed(action=action.value)

    @property
    def audit_id(self) -> int | None:
        """Who to name in audit rows: the person, or nobody for the command line (`via` says "cli")."""
        return None if self.system else self.person_id


_ANYWHERE = frozenset((*CAMPAIGN_WIDE_ROLES, "system"))  # roles whose unit-scoped actions reach every unit
SYSTEM = Actor(0, 0, "CLI", (Role("system", None, "", "", ""),), None, system=True)
"""The command line on the server: allowed what the table's `system` row says, audited as the CLI."""


async def load_actor(db: Database, telegram_id: int) -> Actor | None:
    """The person behind a Telegram account, or None for a stranger (no invitation used)."""
    async with db.lean(write=False) as sql:
        return await actor_in(sql, telegram_id)


_ACTOR = statement(
    "SELECT p.id, p.full_name, m.role, m.unit_id, u.code, u.name, u.cohort, c.unit_id "
    "FROM person p "
    "JOIN membership m ON m.person_id = p.id AND m.active = :active "
    "LEFT JOIN unit u ON u.id = m.unit_id "
    "LEFT JOIN conversation c ON c.person_id = p.id "
    "WHERE p.telegram_id = :telegram_id ORDER BY m.id"
)


async def actor_in(sql: Lean, telegram_id: int) -> Actor | None:
    """One query (it runs on every update): the person, their active roles with their units, and
    the unit they chose."""
    rows = await sql.rows(_ACTOR, {"telegram_id": telegram_id, "active": True})
    if not rows:
        return None
    roles = tuple(
        Role(role, unit_id, code or "", name or "", cohort or "") for _, _, role, unit_id, code, name, cohort, _ in rows
    )
    person_id, full_name, *_rest, chosen = rows[0]
    return Actor(person_id, telegram_id, full_name, roles, chosen)


async def choose_unit(db: Database, actor: Actor, unit_id: int, *, now: datetime) -> Actor:
    """Switch the unit a person works for (a person may belong to several)."""
    if unit_id not in {r.unit_id for r in actor.units()}:
        raise NotAllowed(unit=unit_id)
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            session.add(Conversation(person_id=actor.person_id, unit_id=unit_id, cursor={}))
        else:
            conversation.unit_id, conversation.cursor, conversation.updated_at = unit_id, {}, now
    return Actor(actor.person_id, actor.telegram_id, actor.full_name, actor.roles, unit_id)
