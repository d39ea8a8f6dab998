"""Import published index values of a period (the CSV format of `dti-bot score --values`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from bot.services.access import Actor
from bot.services.admin.frameworks import framework_of
from bot.services.errors import InputFileError, InputFileErrors, ServiceError
from bot.services.permissions import Action
from bot.services.results.index_values import read_index_values_all
from storage.db import Database
from storage.models import PublishedResult
from storage.queries import period_with_framework, units_by_code


@dataclass(frozen=True)
class ResultsReport:
    units: int
    values: int


async def import_results(db: Database, actor: Actor, period_id: int, data: bytes, source: str = "") -> ResultsReport:
    """Replace the period's published values by the file's, in one transaction; every bad line
    of the file is reported at once (InputFileErrors), and then nothing changes."""
    actor.require(Action.MANAGE_PERIODS)
    async with db.session() as session, session.begin():
        found = await period_with_framework(session, period_id)
        if found is None:
            raise ServiceError("unknown_period", period=period_id)
        period, version = found
        framework = framework_of(version)
        try:
            rows, errors = read_index_values_all(framework, data)
        except InputFileError as exc:
            raise InputFileErrors([exc]) from exc
        except UnicodeDecodeError as exc:
            raise InputFileErrors([InputFileError("not_utf8", 1)]) from exc
        units = await units_by_code(session, [r.unit_code for r in rows])
        errors += [InputFileError("unknown_unit", r.line, unit=r.unit_code) for r in rows if r.unit_code not in units]
        if errors:
            raise InputFileErrors(sorted(errors, key=lambda e: e.line))
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
