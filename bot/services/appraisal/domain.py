"""Appraisal by domain: which appraiser appraises which indices (or sub-indices), optionally only in
one cohort, in a period (`appraiser_scope` rows). Coordinators assign them, in the chat and with
`dti-bot people assign`. An appraiser with no rows appraises nothing; the council chair (coordinator)
sees every item.

Which self-assessments reach appraisal at all: with the period's `unit_approval` on, only units
whose leader approved (bot.services.assessment.approval)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor
from bot.services.admin.frameworks import framework_of
from bot.services.assessment.approval import appraisable_units
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from scoring import Framework
from scoring.states import PeriodState
from storage.db import Database
from storage.models import (
    AppraiserScope,
    Conversation,
    FrameworkVersion,
    Membership,
    Period,
    Person,
    Unit,
)

# Periods whose submitted items can be appraised: self-assessment (units approved early) and appraisal.
APPRAISAL_STATES = (PeriodState.OPEN, PeriodState.LOCKED)


@dataclass(frozen=True)
class Scope:
    code: str  # an index ("2": every 2.x) or a sub-index ("2.3")
    cohort: str = ""  # "" = every cohort
    cohort_name: str = field(default="", compare=False)  # the framework's name of the cohort, for screens


@dataclass(frozen=True)
class Domain:
    """What one person may decide in one period: every item (the council chair) or their scopes."""

    period_id: int
    framework: Framework
    everything: bool
    scopes: tuple[Scope, ...]

    def covers(self, sub_code: str, cohort: str) -> bool:
        if self.everything:
            return True
        return any(sub_code in _sub_codes(self.framework, s.code) and s.cohort in ("", cohort) for s in self.scopes)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.scopes


def _sub_codes(framework: Framework, code: str) -> frozenset[str]:
    key = f"appraisal-scope:{code}"
    if key not in framework.cache:
        if framework.has_index(code):
            codes = frozenset(s.code for s in framework.index(code).sub_indices)
        elif framework.has_sub_index(code):
            codes = frozenset((code,))
        else:  # a scope left from an older framework: covers nothing
            codes = frozenset()
        framework.cache[key] = codes
    return framework.cache[key]  # type: ignore[no-any-return]


def chairs(actor: Actor) -> bool:
    """The council chair (a coordinator) appraises everything."""
    return actor.may(Action.COUNCIL)


async def period_framework(session: AsyncSession, period: Period) -> Framework:
    return framework_of(await session.get(FrameworkVersion, period.framework_version_id))


async def domain_in(session: AsyncSession, actor: Actor, period: Period) -> Domain:
    """The acting person's domain: everything for the council chair, else their scopes."""
    framework = await period_framework(session, period)
    if chairs(actor):
        return Domain(period.id, framework, True, ())
    return await person_domain(session, period, actor.person_id)


async def person_domain(session: AsyncSession, period: Period, person_id: int) -> Domain:
    """An appraiser's assigned domain (for the council's progress per appraiser)."""
    framework = await period_framework(session, period)
    return Domain(period.id, framework, False, await _scopes_of(session, period.id, person_id))


async def appraisal_periods(session: AsyncSession) -> list[Period]:
    """The periods being appraised (normally one), newest first."""
    return list(
        (
            await session.execute(
                select(Period).where(Period.state.in_([s.value for s in APPRAISAL_STATES])).order_by(Period.id.desc())
            )
        ).scalars()
    )


async def reaching_appraisal(session: AsyncSession, period: Period) -> set[int] | None:
    """The units whose items reach appraisal: those their leader approved, or None (every unit)
    when the period does not ask for the leader's approval."""
    return await appraisable_units(session, period.id)


def check_decidable(period: Period) -> None:
    """Decisions only while the period is appraised: refused on provisional and final results."""
    if period.state == PeriodState.PROVISIONAL:
        raise ServiceError("appraisal_provisional", period=period.title)
    if period.state == PeriodState.PUBLISHED:
        raise ServiceError("appraisal_final", period=period.title)
    if period.state not in APPRAISAL_STATES:
        raise ServiceError("appraisal_not_started", period=period.title)


# assigning appraisers (coordinators in the chat, the command line as SYSTEM)


@dataclass(frozen=True)
class Appraiser:
    person_id: int
    telegram_id: int | None
    full_name: str
    scopes: tuple[Scope, ...]


@dataclass(frozen=True)
class Assignment:
    """An appraiser's domain after a change, and what the change did."""

    period_id: int
    period_title: str
    framework: Framework
    appraiser: Appraiser
    added: int
    removed: int


async def _period(session: AsyncSession, period_id: int) -> Period:
    period = await session.get(Period, period_id)
    if period is None:
        raise ServiceError("unknown_period", period=period_id)
    return period


async def _appraiser(session: AsyncSession, person: str | int) -> Person:
    """A person holding the reviewer role: by Telegram id, person id (int from a button), or full name."""
    if isinstance(person, int):
        found = await session.get(Person, person)
    else:
        text = person.strip()
        if text.lstrip("@").isdigit():
            found = (
                await session.execute(select(Person).where(Person.telegram_id == int(text.lstrip("@"))))
            ).scalar_one_or_none()
        else:
            matches = [
                p
                for p in (await session.execute(select(Person))).scalars()
                if p.full_name.casefold() == text.casefold() or (p.username and p.username == text.lstrip("@"))
            ]
            if len(matches) > 1:
                raise ServiceError("person_ambiguous", person=text)
            found = matches[0] if matches else None
    if found is None:
        raise ServiceError("appraiser_unknown", person=str(person))
    held = (
        await session.execute(
            select(Membership.id).where(
                Membership.person_id == found.id, Membership.role == "reviewer", Membership.active.is_(True)
            )
        )
    ).first()
    if held is None:
        raise ServiceError("not_an_appraiser", name=found.full_name or str(found.telegram_id))
    return found


def _checked_codes(framework: Framework, codes: Iterable[str]) -> list[str]:
    wanted = [c.strip() for c in codes if c.strip()]
    if not wanted:
        raise ServiceError("no_scope")
    unknown = [c for c in wanted if not (framework.has_index(c) or framework.has_sub_index(c))]
    if unknown:
        raise ServiceError(
            "unknown_scope", codes=", ".join(unknown), known=", ".join(i.code for i in framework.indices)
        )
    return list(dict.fromkeys(wanted))


async def _checked_cohort(session: AsyncSession, framework: Framework, cohort: str) -> str:
    cohort = cohort.strip()
    if not cohort:
        return ""
    known = {c.code for c in framework.ranking.cohorts} | set(
        (await session.execute(select(Unit.cohort).where(Unit.cohort != "").distinct())).scalars()
    )
    if cohort not in known:
        raise ServiceError("unknown_cohort_code", cohort=cohort, known=", ".join(sorted(known)))
    return cohort


async def _scopes_of(session: AsyncSession, period_id: int, person_id: int) -> tuple[Scope, ...]:
    rows = (
        await session.execute(
            select(AppraiserScope.scope_code, AppraiserScope.cohort)
            .where(AppraiserScope.period_id == period_id, AppraiserScope.person_id == person_id)
            .order_by(AppraiserScope.id)
        )
    ).all()
    names: dict[str, str] = {}
    if any(cohort for _code, cohort in rows):  # screens name a cohort, never show its code
        period = await _period(session, period_id)
        ranking = (await period_framework(session, period)).ranking
        names = {cohort: ranking.cohort_name(cohort) for _code, cohort in rows if cohort}
    return tuple(Scope(code, cohort, names.get(cohort, "")) for code, cohort in rows)


async def _result(
    session: AsyncSession, period: Period, framework: Framework, person: Person, added: int, removed: int
) -> Assignment:
    scopes = await _scopes_of(session, period.id, person.id)
    return Assignment(
        period.id,
        period.title,
        framework,
        Appraiser(person.id, person.telegram_id, person.full_name, scopes),
        added,
        removed,
    )


async def assign(
    db: Database, actor: Actor, person: str | int, period_id: int, codes: Iterable[str], cohort: str = "",
    *, now: datetime,
) -> Assignment:  # fmt: skip
    """Add indices or sub-indices (optionally for one cohort) to an appraiser's domain; codes already
    assigned stay as they are."""
    actor.require(Action.ASSIGN_APPRAISERS)
    async with db.session() as session, session.begin():
        period = await _period(session, period_id)
        framework = await period_framework(session, period)
        wanted = _checked_codes(framework, codes)
        cohort = await _checked_cohort(session, framework, cohort)
        found = await _appraiser(session, person)
        held = set(await _scopes_of(session, period.id, found.id))
        new = [code for code in wanted if Scope(code, cohort) not in held]
        session.add_all(
            AppraiserScope(
                period_id=period.id,
                person_id=found.id,
                scope_code=code,
                cohort=cohort,
                created_by=actor.audit_id,
                created_at=now,
            )
            for code in new
        )
        await session.flush()
        return await _result(session, period, framework, found, len(new), 0)


async def unassign(
    db: Database, actor: Actor, person: str | int, period_id: int, codes: Iterable[str] | None = None,
    cohort: str | None = None,
) -> Assignment:  # fmt: skip
    """Take indices out of an appraiser's domain: the codes given (None: every one), of the cohort
    given (None: whatever the cohort)."""
    actor.require(Action.ASSIGN_APPRAISERS)
    async with db.session() as session, session.begin():
        period = await _period(session, period_id)
        framework = await period_framework(session, period)
        found = await _appraiser(session, person)
        query = delete(AppraiserScope).where(
            AppraiserScope.period_id == period.id, AppraiserScope.person_id == found.id
        )
        if codes is not None:
            wanted = [c.strip() for c in codes if c.strip()]
            if not wanted:
                raise ServiceError("no_scope")
            query = query.where(AppraiserScope.scope_code.in_(wanted))
        if cohort is not None:
            query = query.where(AppraiserScope.cohort == cohort.strip())
        removed = (await session.execute(query)).rowcount or 0
        if not removed:
            raise ServiceError("nothing_to_unassign", name=found.full_name or str(found.telegram_id))
        return await _result(session, period, framework, found, 0, removed)


async def appraisers(db: Database, actor: Actor, period_id: int | None = None) -> tuple[Period, list[Appraiser]]:
    """Everyone holding the reviewer role, with their domain in the period (the one being appraised
    unless given)."""
    actor.require(Action.ASSIGN_APPRAISERS)
    async with db.read_session() as session:
        period = await _period(session, period_id) if period_id is not None else await current_appraisal(session)
        people = (
            await session.execute(
                select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.role == "reviewer", Membership.active.is_(True))
                .order_by(Person.full_name, Person.id)
            )
        ).scalars()
        return period, [
            Appraiser(p.id, p.telegram_id, p.full_name, await _scopes_of(session, period.id, p.id))
            for p in {p.id: p for p in people}.values()
        ]


async def current_appraisal(session: AsyncSession) -> Period:
    periods = await appraisal_periods(session)
    if not periods:
        raise ServiceError("no_appraisal_period")
    locked = [p for p in periods if p.state == PeriodState.LOCKED]
    return (locked or periods)[0]


# the chat's assignment screen: pick an appraiser, choose a cohort ("" = all), tick whole indices or
# open one to tick some of its sub-indices, save. What is ticked lives in the conversation until saved.


@dataclass(frozen=True)
class Editing:
    period_id: int
    period_title: str
    framework: Framework
    appraiser: Appraiser  # as saved
    chosen: tuple[str, ...]  # the codes ticked in the cohort shown: whole indices and sub-indices
    others: tuple[Scope, ...]  # ticked in the other cohorts (and older codes), kept as they are
    cohort: str = ""  # the cohort shown; "" = every cohort
    cohorts: tuple[tuple[str, str], ...] = ()  # (code, name) of the cohorts a scope may be restricted to
    open: str = ""  # the index whose sub-indices are shown; "" = the indices

    def ticked(self, index_code: str) -> frozenset[str]:
        """The sub-indices of the index ticked in the cohort shown: all of them when the whole index is."""
        subs = frozenset(s.code for s in self.framework.index(index_code).sub_indices)
        return subs if index_code in self.chosen else subs & set(self.chosen)

    def whole(self, index_code: str) -> bool:
        index = self.framework.index(index_code)
        return index_code in self.chosen or (
            bool(index.sub_indices) and len(self.ticked(index_code)) == len(index.sub_indices)
        )


def _known(framework: Framework, code: str) -> bool:
    return framework.has_index(code) or framework.has_sub_index(code)


async def _cohorts(session: AsyncSession, framework: Framework) -> tuple[tuple[str, str], ...]:
    """The framework's cohorts, then any other cohort a unit belongs to: (code, name)."""
    ranking = framework.ranking
    codes = [c.code for c in ranking.cohorts]
    used = (await session.execute(select(Unit.cohort).where(Unit.cohort != "").distinct())).scalars()
    codes += sorted(set(used) - set(codes))
    return tuple((code, ranking.cohort_name(code)) for code in codes)


def _toggled(framework: Framework, chosen: list[str], code: str) -> list[str]:
    """`chosen` (one cohort's codes) with an index or a sub-index ticked or unticked: an index whose
    sub-indices are all ticked is kept as the whole index."""
    if framework.has_index(code):
        index = framework.index(code)
    elif framework.has_sub_index(code):
        index = next(i for i in framework.indices if any(s.code == code for s in i.sub_indices))
    else:
        raise ServiceError("unknown_item")
    subs = [s.code for s in index.sub_indices]
    ticked = set(subs) if index.code in chosen else set(subs) & set(chosen)
    whole = index.code in chosen or (bool(subs) and ticked == set(subs))
    rest = [c for c in chosen if c != index.code and c not in subs]
    if code == index.code:
        return rest if whole else [*rest, index.code]
    ticked ^= {code}
    return [*rest, index.code] if ticked == set(subs) else rest + [c for c in subs if c in ticked]


async def _editing(
    session: AsyncSession, period: Period, framework: Framework, person: Person, cursor: dict
) -> Editing:
    cohort, pairs = cursor.get("cohort", ""), [tuple(p) for p in cursor.get("scopes", [])]
    order = {
        code: n
        for n, code in enumerate([c for i in framework.indices for c in (i.code, *(s.code for s in i.sub_indices))])
    }
    chosen = sorted((c for c, k in pairs if k == cohort and c in order), key=order.__getitem__)
    cohorts = await _cohorts(session, framework)
    names = dict(cohorts)
    others = tuple(Scope(c, k, names.get(k, "")) for c, k in pairs if k != cohort or c not in order)
    return Editing(
        period.id,
        period.title,
        framework,
        Appraiser(person.id, person.telegram_id, person.full_name, await _scopes_of(session, period.id, person.id)),
        tuple(chosen),
        others,
        cohort,
        cohorts,
        cursor.get("open", ""),
    )


async def start_editing(db: Database, actor: Actor, person_id: int, *, now: datetime) -> Editing:
    """The appraiser's scopes as saved, every cohort shown; edited in the conversation until saved."""
    actor.require(Action.ASSIGN_APPRAISERS)
    async with db.session() as session, session.begin():
        period = await current_appraisal(session)
        framework = await period_framework(session, period)
        person = await _appraiser(session, person_id)
        scopes = await _scopes_of(session, period.id, person.id)
        cursor = {
            "flow": "assign",
            "period": period.id,
            "person": person.id,
            "scopes": [[s.code, s.cohort] for s in scopes if _known(framework, s.code)],
            "cohort": "",
            "open": "",
        }
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            session.add(Conversation(person_id=actor.person_id, cursor=cursor, updated_at=now))
        else:
            conversation.cursor, conversation.updated_at = cursor, now
        return await _editing(session, period, framework, person, cursor)


async def _edit_cursor(session: AsyncSession, actor: Actor, person_id: int) -> tuple[object, dict]:
    conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
    cursor = (conversation.cursor or {}) if conversation else {}
    if cursor.get("flow") != "assign" or cursor.get("person") != person_id:
        raise ServiceError("unknown_item")
    if "scopes" not in cursor:  # a screen opened before sub-indices and cohorts could be ticked
        cursor = {**cursor, "scopes": [[c, ""] for c in cursor.get("codes", [])], "cohort": "", "open": ""}
    return conversation, cursor


async def _change(
    db: Database, actor: Actor, person_id: int, now: datetime, change: Callable[[Framework, dict, Editing], dict]
) -> Editing:
    """One change of the domain being edited (a tick, a cohort, an index opened), kept in the conversation."""
    actor.require(Action.ASSIGN_APPRAISERS)
    async with db.session() as session, session.begin():
        conversation, cursor = await _edit_cursor(session, actor, person_id)
        period = await _period(session, cursor["period"])
        framework = await period_framework(session, period)
        person = await _appraiser(session, person_id)
        cursor = {**cursor, **change(framework, cursor, await _editing(session, period, framework, person, cursor))}
        conversation.cursor, conversation.updated_at = cursor, now  # type: ignore[attr-defined]
        return await _editing(session, period, framework, person, cursor)


async def toggle(db: Database, actor: Actor, person_id: int, code: str, *, now: datetime) -> Editing:
    """The coordinator ticks or unticks an index or a sub-index, in the cohort shown (saved later)."""

    def change(framework: Framework, cursor: dict, shown: Editing) -> dict:
        if not _known(framework, code):
            raise ServiceError("unknown_item")
        chosen = _toggled(framework, list(shown.chosen), code)
        kept = [p for p in cursor["scopes"] if p[1] != shown.cohort or not _known(framework, p[0])]
        return {"scopes": kept + [[c, shown.cohort] for c in chosen]}

    return await _change(db, actor, person_id, now, change)


async def choose_cohort(db: Database, actor: Actor, person_id: int, cohort: str, *, now: datetime) -> Editing:
    """The cohort the next ticks apply to ("" = every cohort); the indices are shown again."""

    def change(_framework: Framework, _cursor: dict, shown: Editing) -> dict:
        if cohort and cohort not in dict(shown.cohorts):
            raise ServiceError("unknown_item")
        return {"cohort": cohort, "open": ""}

    return await _change(db, actor, person_id, now, change)


async def open_index(db: Database, actor: Actor, person_id: int, code: str, *, now: datetime) -> Editing:
    """An index's sub-indices to tick one by one ("" = back to the indices)."""

    def change(framework: Framework, _cursor: dict, _shown: Editing) -> dict:
        if code and not (framework.has_index(code) and framework.index(code).sub_indices):
            raise ServiceError("unknown_item")
        return {"open": code}

    return await _change(db, actor, person_id, now, change)


async def save_editing(db: Database, actor: Actor, person_id: int, *, now: datetime) -> Assignment:
    """What is ticked, in every cohort, becomes the appraiser's domain; scopes of codes the framework
    no longer has stay as they are."""
    actor.require(Action.ASSIGN_APPRAISERS)
    async with db.session() as session, session.begin():
        conversation, cursor = await _edit_cursor(session, actor, person_id)
        period = await _period(session, cursor["period"])
        framework = await period_framework(session, period)
        person = await _appraiser(session, person_id)
        wanted = {(c, k) for c, k in cursor["scopes"] if _known(framework, c)}
        held = {
            (s.code, s.cohort) for s in await _scopes_of(session, period.id, person.id) if _known(framework, s.code)
        }
        gone, new = held - wanted, [p for p in dict.fromkeys(tuple(p) for p in cursor["scopes"]) if p in wanted - held]
        for code, cohort in gone:
            await session.execute(
                delete(AppraiserScope).where(
                    AppraiserScope.period_id == period.id,
                    AppraiserScope.person_id == person.id,
                    AppraiserScope.scope_code == code,
                    AppraiserScope.cohort == cohort,
                )
            )
        session.add_all(
            AppraiserScope(
                period_id=period.id, person_id=person.id, scope_code=c, cohort=k, created_by=actor.audit_id,
                created_at=now,
            )
            for c, k in new
        )  # fmt: skip
        conversation.cursor, conversation.updated_at = {}, now  # type: ignore[attr-defined]
        await session.flush()
        return await _result(session, period, framework, person, len(new), len(gone))
