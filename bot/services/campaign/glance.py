"""What the main menu shows at a glance: the person's name, the days left to the deadline (or, after
the self-assessment, the phase and its dates), and the progress of their unit (items answered of the
items it answers) or, for the campaign's roles, how many units have submitted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_calendar import local_date
from bot.services.access import Actor
from bot.services.campaign.periods import current_period, open_periods
from bot.services.campaign.progress import askable_count, period_progress
from bot.services.permissions import UNIT_SCOPED, Action
from scoring.states import VISIBLE_PERIOD_STATES
from storage.db import Database
from storage.models import Answer, Invite, Period, Unit


@dataclass(frozen=True)
class Glance:
    name: str  # as stored, else the name the person was invited under ("" when neither is known)
    deadline: date | None = None
    days_left: int | None = None
    period_state: str = ""
    answered: int | None = None  # the unit's items answered / askable, for a unit role
    total: int | None = None
    submitted: int | None = None
    units_submitted: int | None = None  # units done / units of the period, for whoever follows progress
    units_total: int | None = None
    # the phase's dates and the campaign's local date, for the phase's sentence (bot.render.campaign.phases)
    supplement_deadline: date | None = None
    feedback_deadline: date | None = None
    today: date | None = None


async def glance(db: Database, actor: Actor, now: datetime) -> Glance:
    """Read-only; what a person may not see is left out (None), never refused."""
    async with db.read_session() as session:
        name = actor.full_name or await _invited_name(session, actor.person_id)
        unit_role = actor.unit
        period: Period | None = None
        answered = total = submitted = None
        if unit_role is not None and _sees_unit(actor, unit_role.unit_id):
            unit = await session.get(Unit, unit_role.unit_id)
            found = await current_period(session, unit) if unit is not None else None
            if found is not None:
                period, framework = found
                askable = {s.code for s in framework.sub_indices if s.method.kind != "external"}
                total = askable_count(framework, unit.attributes)
                statuses = [
                    status
                    for code, status in await session.execute(
                        select(Answer.sub_index_code, Answer.status).where(
                            Answer.period_id == period.id, Answer.unit_id == unit.id, Answer.raw.is_not(None)
                        )
                    )
                    if code in askable
                ]
                answered = len(statuses)
                submitted = sum(1 for s in statuses if s in ("submitted", "accepted"))
        units_submitted = units_total = None
        if period is None or actor.may(Action.VIEW_PROGRESS):
            periods = await open_periods(session)
            if period is None and periods:
                period = periods[-1]
            if period is None:  # after the self-assessment: the newest period, for its phase's sentence
                period = (
                    await session.execute(
                        select(Period)
                        .where(Period.state.in_([s.value for s in VISIBLE_PERIOD_STATES]))
                        .order_by(Period.id.desc())
                        .limit(1)
                    )
                ).scalar_one_or_none()
            if actor.may(Action.VIEW_PROGRESS) and periods:
                _framework, units = await period_progress(session, periods[-1])
                units_total = len(units)
                units_submitted = sum(1 for u in units if u.answered and not u.behind)
    if period is None:
        return Glance(name, answered=answered, total=total, submitted=submitted)
    return Glance(
        name,
        period.deadline,
        (period.deadline - local_date(now)).days,
        period.state,
        answered,
        total,
        submitted,
        units_submitted,
        units_total,
        period.supplement_deadline,
        period.feedback_deadline,
        local_date(now),
    )


def _sees_unit(actor: Actor, unit_id: int) -> bool:
    return any(actor.may(action, unit_id) for action in UNIT_SCOPED)


async def _invited_name(session: AsyncSession, person_id: int) -> str:
    name = (
        await session.execute(
            select(Invite.full_name)
            .where(Invite.used_by == person_id, Invite.full_name != "")
            .order_by(Invite.used_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return name or ""
