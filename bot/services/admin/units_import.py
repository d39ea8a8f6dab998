"""Import units from a table: idempotent upsert, every bad row reported, nothing written if any is bad.

Columns: code, name, cohort, parent (a unit code), ranked (yes/no, default yes); any other column is
an attribute (e.g. has_public_services), read as yes/no when it looks like one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.services.admin.spreadsheets import Row, parse_flag, read_table
from bot.services.errors import InputFileError, InputFileErrors
from storage.db import Database
from storage.models import Unit
from storage.queries import units_by_code
from storage.types import utcnow

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FIXED = ("code", "name", "cohort", "parent", "ranked")


@dataclass(frozen=True)
class UnitRow:
    line: int
    code: str
    name: str
    cohort: str
    parent: str
    ranked: bool
    attributes: dict[str, Any]


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int


def check_unit_rows(header: list[str], rows: list[Row], known_codes: set[str]) -> list[UnitRow]:
    """Validate every row; raise InputFileErrors listing all bad rows."""
    errors: list[InputFileError] = []
    for column in ("code", "name"):
        if column not in header:
            raise InputFileErrors([InputFileError("missing_column", 1, column=column)])
    extra = [h for h in header if h and h not in FIXED]
    seen: dict[str, int] = {}
    parsed: list[UnitRow] = []
    for row in rows:
        code, name = row.get("code"), row.get("name")
        if not CODE.match(code):
            errors.append(InputFileError("bad_unit_code", row.line, value=code))
            continue
        if code in seen:
            errors.append(InputFileError("duplicate_unit", row.line, unit=code, first_line=seen[code]))
            continue
        seen[code] = row.line
        if not name:
            errors.append(InputFileError("missing_name", row.line, unit=code))
        ranked = parse_flag(row.get("ranked")) if row.get("ranked") else True
        if ranked is None:
            errors.append(InputFileError("bad_flag", row.line, column="ranked", value=row.get("ranked")))
        attributes: dict[str, Any] = {}
        for key in extra:
            raw = row.get(key)
            flag = parse_flag(raw)
            attributes[key] = flag if flag is not None else raw
        parsed.append(UnitRow(row.line, code, name, row.get("cohort"), row.get("parent"), bool(ranked), attributes))
    codes = set(seen) | known_codes
    for unit in parsed:
        if unit.parent and (unit.parent == unit.code or unit.parent not in codes):
            errors.append(InputFileError("unknown_parent", unit.line, unit=unit.code, parent=unit.parent))
    if errors:
        raise InputFileErrors(sorted(errors, key=lambda e: e.line))
    return parsed


async def import_units(db: Database, data: bytes, file_name: str) -> ImportReport:
    try:
        header, rows = read_table(data, file_name)
    except InputFileError as exc:
        raise InputFileErrors([exc]) from exc
    async with db.session() as session, session.begin():
        existing = await units_by_code(session)
        parsed = check_unit_rows(header, rows, set(existing))
        code_of = {u.id: u.code for u in existing.values()}
        created = updated = unchanged = 0
        for row in parsed:
            unit = existing.get(row.code)
            attributes = {**((unit.attributes or {}) if unit else {}), **row.attributes}
            wanted = (row.name, row.cohort, row.ranked, True, attributes)
            if unit is None:
                unit = existing[row.code] = Unit(code=row.code, name=row.name)
                session.add(unit)
                created += 1
            elif (unit.name, unit.cohort, unit.ranked, unit.active, unit.attributes or {}) == wanted and (
                code_of.get(unit.parent_id or 0, "") == row.parent
            ):
                unchanged += 1
                continue
            else:
                updated += 1
            unit.name, unit.cohort, unit.ranked, unit.active, unit.attributes = wanted
            unit.updated_at = utcnow()
        await session.flush()
        for row in parsed:  # parents once every unit has an id: a parent may come later in the file
            existing[row.code].parent_id = existing[row.parent].id if row.parent else None
        return ImportReport(created, updated, unchanged)
