"""Query helpers shared by use cases. They never commit: the use case does, once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FrameworkVersion, Period, Unit


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return (await session.execute(select(Unit).where(Unit.code == code))).scalar_one_or_none()


async def units_by_code(session: AsyncSession, codes: Sequence[str] | None = None) -> dict[str, Unit]:
    query = select(Unit)
    if codes is not None:
        query = query.where(Unit.code.in_(list(codes)))
    return {u.code: u for u in (await session.execute(query)).scalars()}


async def latest_framework_version(session: AsyncSession, framework_id: str) -> FrameworkVersion | None:
    query = (
        select(FrameworkVersion)
        .where(FrameworkVersion.framework_id == framework_id)
        .order_by(FrameworkVersion.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def period_with_framework(session: AsyncSession, period_id: int) -> tuple[Period, FrameworkVersion] | None:
    query = (
        select(Period, FrameworkVersion)
        .join(FrameworkVersion, FrameworkVersion.id == Period.framework_version_id)
        .where(Period.id == period_id)
    )
    row = (await session.execute(query)).first()
    return None if row is None else (row[0], row[1])
