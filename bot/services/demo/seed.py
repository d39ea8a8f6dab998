"""`dti-bot demo seed`: a realistic demo province in an empty database, in one transaction.

About 30 departments and 20 communes in two cohorts, people for every role (the sandbox's
personas among them), an open period with a deadline a week ahead, answers for about 70 % of the
units with small evidence files, reviews in every state, and last year's published results.
Deterministic: the same seed gives the same province.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_calendar import TIMEZONE, local_date
from bot.services.admin.frameworks import framework_of, publish_in
from bot.services.assessment.answers import record_history, snapshot, write_answer
from bot.services.demo.data import (
    APPRAISER_DOMAINS,
    COMMUNE_COHORT,
    COMMUNES,
    DEPARTMENT_COHORT,
    DEPARTMENTS,
    FAMILY,
    GENERATED_TELEGRAM_IDS,
    GIVEN,
    MIDDLE,
    PERSONA_UNITS,
    PERSONAS,
    WAITING_FOR_APPROVAL,
)
from bot.services.demo.files import pdf, png
from bot.services.errors import ServiceError
from scoring import Framework, SubIndex
from scoring.states import ApprovalAction
from storage.db import Database
from storage.files import EvidenceStore
from storage.lean import lean_in
from storage.models import (
    Answer,
    AppraiserScope,
    Evidence,
    FrameworkVersion,
    Membership,
    Period,
    Person,
    PublishedResult,
    Review,
    Unit,
    UnitApproval,
)

DEMO_FRAMEWORK = "demo-tinh-2026"


@dataclass(frozen=True)
class DemoReport:
    period_id: int
    previous_period_id: int
    units: int
    people: int
    answers: int
    evidence_files: int


def sample_raw_answer(sub: SubIndex, rng: random.Random) -> dict[str, Any]:
    """A plausible answer for any method (demo data and benchmarks)."""
    method = sub.method
    kind = method.kind
    if kind == "yes_no":
        return {"yes": rng.random() < 0.75}
    if kind == "options":
        return {"option": rng.choice(method.options).code}
    if kind == "criteria":
        return {"criteria": [c.code for c in sub.criteria if rng.random() < 0.65]}
    if kind == "ratio":
        b = rng.randint(5, 400)
        return {"a": rng.randint(b // 3, b), "b": b}
    if kind == "count_tiers":
        return {"count": rng.randint(0, int(method.tiers[0].min) + 2)}
    if kind == "minmax":
        top = method.max_value if method.max_value is not None and method.max_value < 1000 else Decimal(300)
        tenths = rng.randint(0, int(top) * 10)
        return {"value": str(tenths // 10 if method.value.integer else Decimal(tenths) / 10)}
    return {"value": str(Decimal(rng.randint(40, 100)) / 100)}


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def demo_title(year: int) -> str:
    """The demo period's title: short, as a province would name its campaign (not the framework's long title)."""
    return f"Chỉ số chuyển đổi số năm {year} (mẫu)"


async def seed_demo(
    db: Database, store: EvidenceStore, *, now: datetime, today: date | None = None, seed: int = 2026
) -> DemoReport:
    """The demo province at `now`: its open period's deadline a week after `today` (the campaign's
    date at `now` unless given)."""
    rng = random.Random(seed)
    today = today or local_date(now)
    files: dict[str, bytes] = {}
    async with db.session() as session, session.begin():
        if (await session.execute(select(func.count()).select_from(Unit))).scalar_one():
            raise ServiceError("not_empty")
        published = await publish_in(session, DEMO_FRAMEWORK)
        version = await session.get(FrameworkVersion, published.version_id)
        framework = framework_of(version)
        units = _units()
        session.add_all(units)
        await session.flush()
        people = await _people(session, units, rng)
        previous = Period(
            framework_version_id=version.id,
            year=today.year - 1,
            title=demo_title(today.year - 1),
            deadline=date(today.year - 1, 11, 30),
            state="published",
            opens_at=datetime(today.year - 1, 9, 1, tzinfo=TIMEZONE),
        )
        session.add(previous)
        await session.flush()
        _last_year(session, framework, previous.id, units, rng)
        period = Period(
            framework_version_id=version.id,
            year=today.year,
            title=demo_title(today.year),
            deadline=today + timedelta(days=7),
            state="open",
            previous_period_id=previous.id,
            opens_at=now - timedelta(days=21),
        )
        session.add(period)
        await session.flush()
        await _appraisers(session, period.id)
        answers = await _answers(session, framework, period.id, units, people, rng, now, files)
        # Files before the commit: an orphan file after a rollback is harmless, a row without its file is not.
        await asyncio.to_thread(lambda: [store.put(data) for data in files.values()])
    return DemoReport(period.id, previous.id, len(units), len(people), answers, len(files))


async def _appraisers(session: AsyncSession, period_id: int) -> None:
    """Each demo appraiser appraises their indices for every unit; the coordinator chairs the council."""
    by_key = {p.key: p.telegram_id for p in PERSONAS}
    for key, codes in APPRAISER_DOMAINS.items():
        person_id = (await session.execute(select(Person.id).where(Person.telegram_id == by_key[key]))).scalar_one()
        session.add_all(AppraiserScope(period_id=period_id, person_id=person_id, scope_code=code) for code in codes)


def _units() -> list[Unit]:
    units = [
        Unit(code=code, name=name, cohort=DEPARTMENT_COHORT, attributes={"has_public_services": services})
        for code, name, services in DEPARTMENTS
    ]
    units += [
        Unit(code=code, name=name, cohort=COMMUNE_COHORT, attributes={"has_public_services": True})
        for code, name in COMMUNES
    ]
    return units


async def _people(session: AsyncSession, units: list[Unit], rng: random.Random) -> dict[str, list[Person]]:
    """Personas plus one focal point for every other unit. Returns focal points per unit code."""
    by_code = {u.code: u for u in units}
    focal: dict[str, list[Person]] = {u.code: [] for u in units}
    for persona in PERSONAS:
        person = Person(telegram_id=persona.telegram_id, full_name=persona.full_name)
        session.add(person)
        await session.flush()
        unit_id = by_code[persona.unit_code].id if persona.unit_code else None
        session.add(Membership(person_id=person.id, unit_id=unit_id, role=persona.role))
        if persona.role == "focal_point":
            focal[persona.unit_code].append(person)
    for n, unit in enumerate(u for u in units if u.code not in PERSONA_UNITS):
        person = Person(telegram_id=GENERATED_TELEGRAM_IDS + n, full_name=person_name(rng))
        session.add(person)
        await session.flush()
        session.add(Membership(person_id=person.id, unit_id=unit.id, role="focal_point"))
        focal[unit.code].append(person)
    return focal


def _last_year(
    session: AsyncSession, framework: Framework, period_id: int, units: list[Unit], rng: random.Random
) -> None:
    for unit in units:
        level = rng.uniform(0.35, 0.85)
        for index in framework.indices:
            value = Decimal(str(round(min(1.0, max(0.0, rng.gauss(level, 0.12))), 4)))
            session.add(
                PublishedResult(
                    period_id=period_id,
                    unit_id=unit.id,
                    index_code=index.code,
                    value=value,
                    points=value * index.max_points,
                    source="demo",
                )
            )


async def _answers(
    session: AsyncSession,
    framework: Framework,
    period_id: int,
    units: list[Unit],
    people: dict[str, list[Person]],
    rng: random.Random,
    now: datetime,
    files: dict[str, bytes],
) -> int:
    reviewer = (await session.execute(select(Person).where(Person.telegram_id == 700006))).scalar_one()
    # The personas' units stay partly done, so the sandbox has work to show; ~70 % of the rest answer.
    answering = [u for u in units if u.code not in PERSONA_UNITS and rng.random() < 0.72] + [
        u for u in units if u.code == "SNV"
    ]
    count = 0
    sql = await lean_in(session)
    for unit in answering:
        person = people[unit.code][0]
        share = 0.35 if unit.code == "SNV" else rng.uniform(0.55, 1.0)
        complete = share > 0.97
        subs = [s for s in framework.sub_indices if s.method.kind != "external" and s.applies_to(unit.attributes)]
        chosen = subs if complete else [s for s in subs if rng.random() < share]
        for sub in chosen:
            when = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
            written, _ = await write_answer(
                sql,
                period_id=period_id,
                unit_id=unit.id,
                sub=sub,
                raw=sample_raw_answer(sub, rng),
                person_id=person.id,
                now=when,
            )
            answer = await session.get(Answer, written.id)
            count += 1
            if sub.evidence.kinds and (sub.evidence.required or rng.random() < 0.4):
                session.add(_evidence(answer.id, unit.code, sub, person.id, when, rng, files))
            if complete:
                answer.status, answer.submitted_at = "submitted", when + timedelta(days=1)
                await record_history(sql, answer, "submit", person.id, answer.submitted_at, None, snapshot(answer))
                roll = rng.random()
                if unit.code in WAITING_FOR_APPROVAL:
                    continue  # the leader has not approved yet: nothing reaches the appraisers
                if roll < 0.25:
                    await _review(session, answer, reviewer.id, "accept", answer.self_points, "", when)
                elif roll < 0.30:
                    await _review(
                        session,
                        answer,
                        reviewer.id,
                        "needs_supplement",
                        None,
                        "Đề nghị bổ sung văn bản có chữ ký và đóng dấu.",
                        when,
                    )
        if complete:
            _approval(session, period_id, unit, person, now)
    return count


def _approval(session: AsyncSession, period_id: int, unit: Unit, focal: Person, now: datetime) -> None:
    """A complete unit's self-assessment was submitted to its leader; the leader approved it (it is in
    appraisal) unless the unit is one the demo keeps waiting for approval."""
    submitted = now - timedelta(days=5)
    session.add(
        UnitApproval(
            period_id=period_id,
            unit_id=unit.id,
            action=ApprovalAction.SUBMIT,
            person_id=focal.id,
            created_at=submitted,
        )
    )
    if unit.code not in WAITING_FOR_APPROVAL:
        session.add(
            UnitApproval(
                period_id=period_id,
                unit_id=unit.id,
                action=ApprovalAction.APPROVE,
                comment="Đồng ý, đề nghị hội đồng thẩm định.",
                via="cli",  # seeded by `dti-bot demo seed`: the generated units have no leader account
                created_at=submitted + timedelta(days=1),
            )
        )


def _evidence(
    answer_id: int,
    unit_code: str,
    sub: SubIndex,
    person_id: int,
    when: datetime,
    rng: random.Random,
    files: dict[str, bytes],
) -> Evidence:
    kind = sub.evidence.kinds[0]
    if kind == "link":
        return Evidence(
            answer_id=answer_id,
            kind="link",
            url=f"https://example.gov.vn/{unit_code.lower()}/{sub.code}",
            uploaded_by=person_id,
            uploaded_at=when,
        )
    if kind == "document_ref":
        return Evidence(
            answer_id=answer_id,
            kind="document_ref",
            doc_number=f"{rng.randint(10, 999)}/QĐ-{unit_code}",
            doc_date=(when - timedelta(days=rng.randint(20, 200))).date(),
            doc_summary=f"Quyết định về việc thực hiện chỉ số {sub.code}",
            uploaded_by=person_id,
            uploaded_at=when,
        )
    if kind == "photo":
        data = png(24, 16, (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))
        name, media = f"anh-{sub.code}.png", "image/png"
    else:
        data = pdf(f"Tai lieu kiem chung {unit_code} - chi so {sub.code}")
        name, media = f"tai-lieu-{sub.code}.pdf", "application/pdf"
    key = hashlib.sha256(data).hexdigest()
    files[key] = data
    return Evidence(
        answer_id=answer_id,
        kind="photo" if kind == "photo" else "document",
        content_key=key,
        size=len(data),
        media_type=media,
        file_name=name,
        uploaded_by=person_id,
        uploaded_at=when,
    )


async def _review(
    session: AsyncSession,
    answer: Any,
    reviewer_id: int,
    decision: str,
    points: Decimal | None,
    comment: str,
    when: datetime,
) -> None:
    old = snapshot(answer)
    session.add(
        Review(
            answer_id=answer.id,
            reviewer_id=reviewer_id,
            decision=decision,
            points=points,
            comment=comment,
            created_at=when + timedelta(days=2),
            notified_at=when + timedelta(days=2, minutes=40),  # the unit was told in that round
        )
    )
    if decision == "accept":
        answer.status, answer.verified_points = "accepted", points
    else:
        answer.status = "needs_supplement"
    await record_history(
        await lean_in(session), answer, "review", reviewer_id, when + timedelta(days=2), old, snapshot(answer)
    )
