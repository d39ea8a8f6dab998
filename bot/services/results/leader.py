"""What a leader asks: "what is my rank?", "which items are weakest?", "where do we stand?",
"what if this item earned its maximum?", "how did we do against last year?".

Everything is computed by `scoring` from stored data (verified points where reviewed, self points
otherwise, published values where imported); nothing is cached that could drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from bot.campaign_calendar import local_date
from bot.services.access import Actor, NotAllowed
from bot.services.assessment.context import NoPeriod
from bot.services.campaign.periods import current_period
from bot.services.permissions import Action
from bot.services.results.external_values import provider_of
from bot.services.results.scores import PeriodScores, load_period_scores
from scoring import CohortResult, RankedUnit, compare_periods, weakest_sub_indices
from scoring import what_if as project_what_if
from scoring.analysis import Change, WhatIf
from scoring.evidence import evidence_missing
from scoring.states import VISIBLE_PERIOD_STATES
from scoring.unit import FULL, NOT_APPLICABLE
from storage.db import Database
from storage.models import Answer, Evidence, Period, Unit


@dataclass(frozen=True)
class Standing:
    unit_code: str
    unit_name: str
    period_title: str
    framework_total: Decimal
    cohort: CohortResult
    entry: RankedUnit
    change: Change | None
    previous_title: str
    provisional: bool
    pending_reviews: int
    show_peer_names: bool
    index_names: dict[str, str]
    places_points: int
    places_value: int
    unreadable: tuple[str, ...] = ()  # items whose stored answer cannot be read: left out, count as 0
    previous_entry: RankedUnit | None = None  # the unit in the previous period's cohort
    previous_ranked: int = 0  # how many units the previous period's cohort ranked
    period_id: int = 0
    unit_id: int = 0
    year: int = 0
    # the period's phase and its dates, and the campaign's local date (None: not asked), for the
    # phase's sentence on the leader's screens (bot.render.campaign.phases)
    period_state: str = ""
    deadline: date | None = None
    supplement_deadline: date | None = None
    feedback_deadline: date | None = None
    today: date | None = None


@dataclass(frozen=True)
class WeakItem:
    code: str
    name: str
    points: Decimal
    max_points: Decimal
    reason: str  # unanswered, awaiting_coordinator, external, sent_back, missing_evidence, partial, zero
    provider: str = ""  # external: who provided the figure (the note entered with it, or the framework's)


@dataclass(frozen=True)
class Weakest:
    standing: Standing
    items: tuple[WeakItem, ...]
    fix: WhatIf | None


async def _unit_for(session, actor: Actor, unit_id: int | None) -> Unit:  # type: ignore[no-untyped-def]
    role = actor.unit if unit_id is None else next((r for r in actor.units() if r.unit_id == unit_id), None)
    actor.require(Action.VIEW_RESULTS, role.unit_id if role else unit_id)
    if role is None:  # a campaign-wide role: no unit of its own to show
        raise NotAllowed(unit=unit_id)
    return await session.get(Unit, role.unit_id)


async def _current(  # type: ignore[no-untyped-def]
    session, actor: Actor, unit_id: int | None, period_id: int | None = None
) -> tuple[Unit, Period, PeriodScores]:
    """The person's unit, its current period (or the visible period asked for, as a button names
    its own) and that period's scores."""
    unit = await _unit_for(session, actor, unit_id)
    if period_id is None:
        found = await current_period(session, unit)
        if found is None:
            raise NoPeriod()
        period = found[0]
    else:
        period = await session.get(Period, period_id)
        if period is None or period.state not in VISIBLE_PERIOD_STATES:
            raise NoPeriod()
    scores = await load_period_scores(session, period.id)
    if scores.cohort_of(unit.code) is None:
        raise NoPeriod()
    return unit, period, scores


async def standing(
    db: Database,
    actor: Actor,
    show_peer_names: bool = True,
    unit_id: int | None = None,
    *,
    now: datetime | None = None,
) -> Standing:
    """The leader sees the unit's points, provisional rank in its cohort and the cohort's figures
    (with `now`: and the period's phase, in words, as of that day)."""
    async with db.read_session() as session:
        unit, period, scores = await _current(session, actor, unit_id)
        return await _standing(session, unit, period, scores, show_peer_names, now)


async def _standing(  # type: ignore[no-untyped-def]
    session, unit: Unit, period: Period, scores: PeriodScores, peers: bool, now: datetime | None = None
) -> Standing:
    cohort = scores.cohort_of(unit.code)
    if cohort is None:
        raise NoPeriod()
    entry = cohort.entry(unit.code)
    change, previous_title, previous_entry, previous_ranked = None, "", None, 0
    if period.previous_period_id is not None:
        before = await load_period_scores(session, period.previous_period_id)
        previous_cohort = before.cohort_of(unit.code)
        if previous_cohort is not None:
            previous_entry = previous_cohort.entry(unit.code)
            previous_ranked = len(previous_cohort.ranked)
            change = compare_periods(entry, previous_entry)
            previous_title = str(before.period.year)
    pending = (
        await session.execute(
            select(Answer.id).where(
                Answer.period_id == period.id,
                Answer.unit_id == unit.id,
                Answer.status.in_(("submitted", "needs_supplement")),
            )
        )
    ).all()
    fw = scores.framework
    return Standing(
        unit.code,
        unit.name,
        period.title,
        fw.total_points,
        cohort,
        entry,
        change,
        previous_title,
        provisional=period.state != "published" or entry.result.provisional,
        pending_reviews=len(pending),
        show_peer_names=peers,
        index_names={i.code: i.name for i in fw.indices},
        places_points=fw.rounding.points,
        places_value=fw.rounding.value,
        unreadable=scores.unreadable.get(unit.id, ()),
        previous_entry=previous_entry,
        previous_ranked=previous_ranked,
        period_id=period.id,
        unit_id=unit.id,
        year=period.year,
        period_state=period.state,
        deadline=period.deadline,
        supplement_deadline=period.supplement_deadline,
        feedback_deadline=period.feedback_deadline,
        today=local_date(now) if now is not None else None,
    )


async def weakest(
    db: Database, actor: Actor, limit: int = 8, show_peer_names: bool = True, *, now: datetime | None = None
) -> Weakest:
    """The leader sees the items where the unit loses the most points."""
    async with db.read_session() as session:
        unit, period, scores = await _current(session, actor, None)
        view = await _standing(session, unit, period, scores, show_peer_names, now)
        answers = {
            a.sub_index_code: a
            for a in (
                await session.execute(select(Answer).where(Answer.period_id == period.id, Answer.unit_id == unit.id))
            ).scalars()
        }
        with_evidence = {
            aid
            for (aid,) in await session.execute(
                select(Evidence.answer_id).where(Evidence.answer_id.in_([a.id for a in answers.values()]))
            )
        }
    fw = scores.framework
    items = []
    for sub in weakest_sub_indices(view.entry.result.subs.values(), limit=limit):
        definition, answer = fw.sub_index(sub.code), answers.get(sub.code)
        provider = ""
        if sub.status == "unanswered":
            reason = "awaiting_coordinator" if definition.method.kind == "external" else "unanswered"
        elif definition.method.kind == "external":
            reason, provider = "external", provider_of(definition, answer.note if answer is not None else "")
        elif answer is not None and answer.status == "needs_supplement":
            reason = "sent_back"
        elif answer is not None and evidence_missing(  # only an answer that earns points needs evidence
            definition, answer.raw, sub.points, int(answer.id in with_evidence), answer.explanation
        ):
            reason = "missing_evidence"
        else:
            reason = "zero" if sub.points == 0 else "partial"
        items.append(WeakItem(sub.code, definition.name, sub.points, sub.max_points, reason, provider))
    fix = project_what_if(fw, view.cohort, unit.code, [i.code for i in items[:3]]) if items else None
    return Weakest(view, tuple(items), fix)


# -- What if an item earned its maximum? --------------------------------------------------------


@dataclass(frozen=True)
class ItemChoice:
    """A sub-index as the leader picks it: its points now and its maximum."""

    code: str
    name: str
    index_code: str
    points: Decimal
    max_points: Decimal
    status: str  # full, partial, zero, unanswered, not_applicable, published (its index is a published value)

    @property
    def lost(self) -> Decimal:
        return self.max_points - self.points if self.status not in (NOT_APPLICABLE, "published") else Decimal(0)


@dataclass(frozen=True)
class IndexChoice:
    code: str
    name: str
    points: Decimal
    max_points: Decimal
    published: bool  # the index's result is a published value: its items do not move it


@dataclass(frozen=True)
class WhatIfMenu:
    """What the leader picks from: the items that lose the most, every index, and — once an index
    is picked — its sub-indices."""

    standing: Standing
    weakest: tuple[ItemChoice, ...]
    indices: tuple[IndexChoice, ...]
    index: IndexChoice | None = None
    items: tuple[ItemChoice, ...] = ()


@dataclass(frozen=True)
class WhatIfResult:
    """The unit now and if one item earned its maximum, the rest of the cohort as it stands.

    `outcome`: "gain" (the item would add points), "at_maximum" (already full), "not_applicable",
    "published" (its index comes from a published value), "unknown_item" (no such code)."""

    standing: Standing
    asked: str
    outcome: str
    item: ItemChoice | None
    index_name: str
    points_after: Decimal  # the unit's total, exact
    value_after: Decimal
    rank_after: int | None

    @property
    def gain(self) -> Decimal:
        return self.points_after - self.standing.entry.result.points


def _item_choice(scores: PeriodScores, entry: RankedUnit, code: str) -> ItemChoice:
    definition = scores.framework.sub_index(code)
    sub = entry.result.subs.get(code)
    if sub is None:  # the index is taken from a published value: no item-level result
        return ItemChoice(code, definition.name, definition.index_code, Decimal(0), definition.max_points, "published")
    return ItemChoice(code, definition.name, definition.index_code, sub.points, sub.max_points, sub.status)


def _known_code(scores: PeriodScores, code: str) -> str | None:
    """The framework's code for what was asked ("6.2", " 6,2 ", "CS6.2" are the same item)."""
    fw = scores.framework
    text = code.strip().replace(",", ".")
    for candidate in (text, text.upper(), text.lower(), text.removeprefix("CS").removeprefix("cs")):
        if candidate and fw.has_sub_index(candidate):
            return candidate
    return None


async def what_if_menu(
    db: Database,
    actor: Actor,
    period_id: int | None = None,
    unit_id: int | None = None,
    index_code: str | None = None,
    weakest_limit: int = 4,
) -> WhatIfMenu:
    """The choices of the what-if: the weakest items first, then every index; with `index_code`,
    that index's sub-indices too."""
    async with db.read_session() as session:
        unit, period, scores = await _current(session, actor, unit_id, period_id)
        view = await _standing(session, unit, period, scores, True)
    fw, result = scores.framework, view.entry.result
    weakest_items = tuple(
        _item_choice(scores, view.entry, s.code) for s in weakest_sub_indices(result.subs.values(), weakest_limit)
    )
    indices = tuple(
        IndexChoice(
            i.code,
            i.name,
            result.indices[i.code].points,
            result.indices[i.code].max_points,
            result.indices[i.code].source == "published",
        )
        for i in fw.indices
        if i.sub_indices and i.code in result.indices
    )
    chosen = next((i for i in indices if i.code == index_code), None)
    items = tuple(_item_choice(scores, view.entry, s.code) for s in fw.index(chosen.code).sub_indices) if chosen else ()
    return WhatIfMenu(view, weakest_items, indices, chosen, items)


async def what_if(
    db: Database, actor: Actor, period_id: int | None, unit_id: int | None, sub_index_code: str
) -> WhatIfResult:
    """The unit's total points, DTI value and rank now and if `sub_index_code` earned its maximum,
    every other unit as it stands (exact: `scoring`, Decimal). `period_id`/`unit_id` None: the
    person's unit and its current period."""
    async with db.read_session() as session:
        unit, period, scores = await _current(session, actor, unit_id, period_id)
        view = await _standing(session, unit, period, scores, True)
    result = view.entry.result
    unchanged = (result.points, result.value, view.entry.rank)
    code = _known_code(scores, sub_index_code)
    if code is None:
        return WhatIfResult(view, sub_index_code.strip()[:16], "unknown_item", None, "", *unchanged)
    item = _item_choice(scores, view.entry, code)
    index_name = scores.framework.index(item.index_code).name
    if item.status in (NOT_APPLICABLE, "published"):
        return WhatIfResult(view, code, item.status, item, index_name, *unchanged)
    if item.status == FULL:
        return WhatIfResult(view, code, "at_maximum", item, index_name, *unchanged)
    after = project_what_if(scores.framework, view.cohort, unit.code, [code])
    return WhatIfResult(view, code, "gain", item, index_name, after.points, after.value, after.rank_after)


# -- This year against the previous period ------------------------------------------------------


@dataclass(frozen=True)
class IndexYear:
    code: str
    name: str
    max_points: Decimal
    points: Decimal
    points_before: Decimal | None  # None: the index is not in the previous period's framework


@dataclass(frozen=True)
class YearOverYear:
    """The unit's points per index this period and the previous one (Period.previous_period_id).

    `missing`: "" when compared, "no_previous_period" when the period names none,
    "not_in_previous" when the unit was not in the previous period's cohorts."""

    standing: Standing
    indices: tuple[IndexYear, ...]
    missing: str

    @property
    def before(self) -> RankedUnit | None:
        return self.standing.previous_entry


async def year_over_year(
    db: Database, actor: Actor, period_id: int | None = None, unit_id: int | None = None
) -> YearOverYear:
    """This period against the previous one, per index, with the totals and ranks of both."""
    async with db.read_session() as session:
        unit, period, scores = await _current(session, actor, unit_id, period_id)
        view = await _standing(session, unit, period, scores, True)
    now, before = view.entry.result, view.previous_entry
    indices = tuple(
        IndexYear(
            i.code,
            i.name,
            now.indices[i.code].max_points,
            now.indices[i.code].points,
            None if before is None or i.code not in before.result.indices else before.result.indices[i.code].points,
        )
        for i in scores.framework.indices
        if i.code in now.indices and i.max_points > 0
    )
    if period.previous_period_id is None:
        missing = "no_previous_period"
    elif before is None:
        missing = "not_in_previous"
    else:
        missing = ""
    return YearOverYear(view, indices, missing)
