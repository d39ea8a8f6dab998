"""Read published index values (0..1) per unit from a CSV: `unit_code,unit_name,cohort,<index>...`.

This is how national DTI results are published; the values stand in for the sub-indices.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from bot.services.admin.spreadsheets import csv_delimiter
from bot.services.errors import InputFileError
from scoring import Framework, UnitInput, parse_decimal
from scoring.numbers import ONE, ZERO

FIXED_COLUMNS = ("unit_code", "unit_name", "cohort")


@dataclass(frozen=True)
class UnitValues:
    line: int
    unit_code: str
    unit_name: str
    cohort: str
    values: dict[str, Decimal]

    def as_unit_input(self) -> UnitInput:
        return UnitInput(code=self.unit_code, name=self.unit_name, cohort=self.cohort, index_values=self.values)


def read_index_values(framework: Framework, data: bytes | str) -> list[UnitValues]:
    """Parse and check the whole file; the first bad line raises InputFileError."""
    return _read(framework, data, None)


def read_index_values_all(framework: Framework, data: bytes | str) -> tuple[list[UnitValues], list[InputFileError]]:
    """The good lines and every bad line, to report them all at once. A bad header (or an empty
    file) still raises InputFileError: nothing under it can be read."""
    errors: list[InputFileError] = []
    return _read(framework, data, errors), errors


def _read(framework: Framework, data: bytes | str, errors: list[InputFileError] | None) -> list[UnitValues]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=csv_delimiter(text)))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise InputFileError("empty_file", 1)
    header = [cell.strip() for cell in rows[0]]
    codes = _index_columns(framework, header)
    out: list[UnitValues] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            out.append(_row(codes, header, row, line, seen))
        except InputFileError as exc:
            if errors is None:
                raise
            errors.append(exc)
    if not out and not errors:
        raise InputFileError("no_rows", 2)
    return out


def _row(codes: list[str], header: list[str], row: list[str], line: int, seen: dict[str, int]) -> UnitValues:
    if len(row) != len(header):
        raise InputFileError("wrong_field_count", line, expected=len(header), got=len(row))
    unit_code, unit_name, cohort = (cell.strip() for cell in row[:3])
    if not unit_code:
        raise InputFileError("missing_unit_code", line)
    if unit_code in seen:
        raise InputFileError("duplicate_unit", line, unit=unit_code, first_line=seen[unit_code])
    seen[unit_code] = line
    values = {code: _value(cell, line, code) for code, cell in zip(codes, row[3:], strict=True)}
    return UnitValues(line, unit_code, unit_name, cohort, values)


def _index_columns(framework: Framework, header: list[str]) -> list[str]:
    if tuple(h.lower() for h in header[:3]) != FIXED_COLUMNS:
        raise InputFileError("bad_header", 1, expected=",".join(FIXED_COLUMNS))
    codes = header[3:]
    for code in codes:
        if not framework.has_index(code):
            known = ", ".join(i.code for i in framework.indices)
            raise InputFileError("unknown_index", 1, index=code, known=known)
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise InputFileError("duplicate_index", 1, index=duplicates[0])
    missing = [i.code for i in framework.indices if i.max_points > 0 and i.code not in codes]
    if missing:
        raise InputFileError("missing_index", 1, index=", ".join(missing))
    return codes


def _value(cell: str, line: int, code: str) -> Decimal:
    cell = cell.strip()
    if not cell:
        raise InputFileError("missing_value", line, index=code)
    try:
        value = parse_decimal(cell)
    except ValueError as exc:
        raise InputFileError("not_a_number", line, index=code, value=cell) from exc
    if not ZERO <= value <= ONE:
        raise InputFileError("value_out_of_range", line, index=code, value=cell)
    return value
