"""Import units from a table: idempotent upsert, every bad row reported, nothing written if any is bad.

Columns, headed in English or Vietnamese (case and diacritics do not matter): code (mã đơn vị), name
(tên đơn vị), cohort (khối: a cohort's code or its name in a framework, e.g. "khối sở, ban, ngành"),
parent (đơn vị cấp trên: a unit code), ranked (xếp hạng: yes/no, default yes); any other column is an
attribute (e.g. has_public_services, "có dịch vụ công"), read as yes/no when it looks like one. The
cohorts known are those of the stored frameworks and of the framework files (`known_cohorts`).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _
from bot.services.access import Actor
from bot.services.admin.frameworks import framework_of
from bot.services.admin.spreadsheets import Row, fold, parse_flag, read_table
from bot.services.errors import InputFileError, InputFileErrors
from bot.services.permissions import Action
from scoring import FrameworkError
from scoring.loader import available_frameworks, default_framework_dirs, find_framework, load_framework_text
from storage.db import Database
from storage.models import ROLES, FrameworkVersion, Unit
from storage.queries import units_by_code

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FIXED = ("code", "name", "cohort", "parent", "ranked")


def unit_columns() -> dict[str, tuple[str, ...]]:
    """Each known column's headings: English, Vietnamese, and the export's own headings (so that a
    sheet the bot wrote reads back). Matched by `fold`, so "MÃ ĐƠN VỊ" and "ma don vi" count too."""
    return {
        "code": ("unit code", "unit_code", "mã", "mã đơn vị", _("Unit code")),
        "name": ("unit name", "unit", "tên", "tên đơn vị", "đơn vị", _("Unit name")),
        "cohort": ("khối", "khối đơn vị", _("Cohort")),
        "parent": ("parent code", "parent unit", "đơn vị cấp trên", "mã đơn vị cấp trên", "cấp trên", _("Parent unit")),
        "ranked": ("xếp hạng", "tham gia xếp hạng", "có xếp hạng", _("Ranked")),
        "has_public_services": ("có dịch vụ công", "dịch vụ công", _("Has public services")),
    }


def template_headings() -> list[str]:
    """The headings of the example sheet (`dti-bot units template`), in Vietnamese."""
    return [_("Unit code"), _("Unit name"), _("Cohort"), _("Parent unit"), _("Ranked"), _("Has public services")]


@dataclass(frozen=True)
class Cohorts:
    """The cohorts a unit may belong to: code → name, from every framework known."""

    names: dict[str, str]

    def code_of(self, text: str) -> str | None:
        """The cohort a cell means: its code, or its name with or without "khối" ("sở, ban, ngành");
        None for an unknown one or a name that two cohorts share."""
        wanted = fold(text)
        for code in self.names:
            if fold(code) == wanted:
                return code
        found = {code for code, name in self.names.items() if wanted in (fold(name), fold(name).removeprefix("khoi "))}
        return found.pop() if len(found) == 1 else None

    def listing(self) -> str:
        return "; ".join(f"{name} ({code})" if name != code else code for code, name in self.names.items()) or "—"


async def known_cohorts(session: AsyncSession, dirs: list[Path] | None = None) -> Cohorts:
    """The cohorts of the stored frameworks (a newer version's name wins) and of the framework files
    in `dirs` (default: the shipped frameworks), which a campaign may import units for before it
    opens its first period. A framework file that does not load is left out."""
    names: dict[str, str] = dict(await asyncio.to_thread(_file_cohorts, dirs))
    for version in (await session.execute(select(FrameworkVersion).order_by(FrameworkVersion.id))).scalars():
        names.update({c.code: c.name for c in framework_of(version).ranking.cohorts})
    return Cohorts(names)


def _file_cohorts(dirs: list[Path] | None) -> dict[str, str]:
    search = dirs if dirs is not None else default_framework_dirs()
    names: dict[str, str] = {}
    for ref in available_frameworks(search):
        try:
            path = find_framework(ref, search)
            framework = load_framework_text(path.read_text(encoding="utf-8"), str(path), search)
        except (FrameworkError, OSError, UnicodeDecodeError):
            continue
        names.update({c.code: c.name for c in framework.ranking.cohorts})
    return names


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


def check_unit_rows(
    header: list[str], rows: list[Row], known_codes: set[str], cohorts: Cohorts | None = None
) -> list[UnitRow]:
    """Validate every row; raise InputFileErrors listing all bad rows. A cohort is given as its code
    or its name (stored as the code); with `cohorts` None any cohort code is taken as written."""
    errors: list[InputFileError] = []
    for column, heading in (("code", _("Unit code")), ("name", _("Unit name"))):
        if column not in header:
            raise InputFileErrors([InputFileError("missing_column", 1, column=heading)])
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
            errors.append(InputFileError("bad_flag", row.line, column=_("Ranked"), value=row.get("ranked")))
        cohort = row.get("cohort")
        if cohort and cohorts is not None:
            code_of = cohorts.code_of(cohort)
            if code_of is None:
                errors.append(
                    InputFileError("unknown_cohort", row.line, unit=code, value=cohort, known=cohorts.listing())
                )
            cohort = code_of or cohort
        attributes: dict[str, Any] = {}
        for key in extra:
            raw = row.get(key)
            flag = parse_flag(raw)
            attributes[key] = flag if flag is not None else raw
        parsed.append(UnitRow(row.line, code, name, cohort, row.get("parent"), bool(ranked), attributes))
    codes = set(seen) | known_codes
    for unit in parsed:
        if unit.parent and (unit.parent == unit.code or unit.parent not in codes):
            errors.append(InputFileError("unknown_parent", unit.line, unit=unit.code, parent=unit.parent))
    if errors:
        raise InputFileErrors(sorted(errors, key=lambda e: e.line))
    return parsed


async def import_units(
    db: Database, actor: Actor, data: bytes, file_name: str, dirs: list[Path] | None = None, *, now: datetime
) -> ImportReport:
    """`dirs`: the framework folders whose cohorts count besides the stored frameworks' (default: the
    shipped frameworks). The sheet is read on a worker thread."""
    actor.require(Action.IMPORT_UNITS)
    try:
        header, rows = await asyncio.to_thread(read_table, data, file_name, unit_columns())
    except InputFileError as exc:
        raise InputFileErrors([exc]) from exc
    async with db.read_session() as session:  # the framework files are read outside the write transaction
        cohorts = await known_cohorts(session, dirs)
    async with db.session() as session, session.begin():
        existing = await units_by_code(session)
        parsed = check_unit_rows(header, rows, set(existing), cohorts)
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
            unit.updated_at = now
        await session.flush()
        for row in parsed:  # parents once every unit has an id: a parent may come later in the file
            existing[row.code].parent_id = existing[row.parent].id if row.parent else None
        return ImportReport(created, updated, unchanged)


@dataclass(frozen=True)
class TemplateFacts:
    """What the example sheets are filled in with: the known cohorts (code, name), a few unit codes
    that exist and the roles (for the invitations sheet)."""

    cohorts: tuple[tuple[str, str], ...]
    unit_codes: tuple[str, ...]
    roles: tuple[str, ...] = ROLES


async def template_facts(
    db: Database, actor: Actor, *, invitations: bool = False, dirs: list[Path] | None = None
) -> TemplateFacts:
    """For the example units sheet (`dti-bot units template`, the chat's button) or, with
    `invitations`, the example invitations sheet."""
    actor.require(Action.INVITE if invitations else Action.IMPORT_UNITS)
    async with db.read_session() as session:
        cohorts = await known_cohorts(session, dirs)
        query = select(Unit.code).where(Unit.active.is_(True)).order_by(Unit.id).limit(2)
        codes = (await session.execute(query)).scalars()
        return TemplateFacts(tuple(cohorts.names.items()), tuple(codes))
