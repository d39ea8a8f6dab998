"""Import published index values of a period (the CSV format of `dti-bot score --values`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from bot.services.errors import InputFileError, ServiceError
from bot.services.frameworks import framework_of
from bot.services.index_values import read_index_values
from storage.db import Database
from storage.models import PublishedResult
from storage.queries import period_with_framework, units_by_code


@dataclass(frozen=True)
class ResultsReport:
    units: int
    values: int


async def import_results(db: Database, period_id: int, data: bytes, source: str = "") -> ResultsReport:
    """Replace the period's published values by the file's, in one transaction."""
    async with db.session() as session, session.begin():
        found = await period_with_framework(session, period_id)
        if found is None:
            raise ServiceError("unknown_period", period=period_id)
        period, version = found
        framework = framework_of(version)
        rows = read_index_values(framework, data)
        units = await units_by_code(session, [r.unit_code for r in rows])
        for row in rows:
            if row.unit_code not in units:
                raise InputFileError("unknown_unit", row.line, unit=row.unit_code)
        await session.execute(delete(PublishedResult).where(PublishedResult.period_id == period.id))
        count = 0
        for row in rows:
            for code, value in row.values.items():
                session.add(
                    PublishedResult(
                        period_id=period.id,
                        unit_id=units[row.unit_code].id,
                        index_code=code,
                        value=value,
                        points=value * framework.index(code).max_points,
                        source=source,
                    )
                )
                count += 1
        return ResultsReport(len(rows), count)
