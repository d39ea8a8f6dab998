"""Read a table from an uploaded or local .csv / .xlsx file into rows keyed by header.

Line numbers are those a person sees in Excel (the header is line 1). Headings are matched the way a
person means them, in English or Vietnamese, without case or diacritics: "Mã đơn vị", "ma don vi" and
"MÃ ĐƠN VỊ" all name the column `code` of the units sheet (`fold`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.services.errors import InputFileError
from bot.services.safe_text import strip_invisible
from scoring.methods import read_yes_no


def csv_delimiter(text: str) -> str:
    """The field separator of a CSV text: Excel in a Vietnamese locale writes ';' between fields
    because ',' is the decimal mark."""
    first = text.splitlines()[0] if text else ""
    return ";" if first.count(";") > first.count(",") else ","


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "").strip()


def fold(text: str) -> str:
    """A heading or a word as a person means it: no case, no diacritics (đ → d), "_" and "-" as spaces,
    single spaces. "MÃ ĐƠN VỊ", "ma_don_vi" → "ma don vi"."""
    text = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("_", " ").replace("-", " ")
    return " ".join(text.split())


def heading_keys(columns: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """{folded heading: column key} from {column key: the headings it may have}; the key names itself."""
    keys = {fold(key): key for key in columns}
    for key, headings in columns.items():
        keys.update({fold(heading): key for heading in headings})
    return keys


def read_table(
    data: bytes, file_name: str, columns: Mapping[str, Iterable[str]] | None = None
) -> tuple[list[str], list[Row]]:
    """The header and the non-empty rows. `columns` names the sheet's known columns and their headings;
    a known column's cells are keyed by its key, any other column's by its heading in lower case. A
    known column given twice is refused."""
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        matrix = _xlsx_matrix(data)
    elif file_name.lower().endswith((".csv", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFileError("not_utf8", 1) from exc
        matrix = list(csv.reader(io.StringIO(text), delimiter=csv_delimiter(text)))
    else:
        raise InputFileError("unsupported_table", 1, name=strip_invisible(file_name))  # the name is shown back
    if not matrix:
        raise InputFileError("empty_file", 1)
    header = _header(matrix[0], heading_keys(columns or {}))
    rows = []
    for line, values in enumerate(matrix[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(Row(line, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    return header, rows


def _header(cells: list[str], keys: dict[str, str]) -> list[str]:
    header: list[str] = []
    for cell in cells:
        key = keys.get(fold(cell), cell.strip().lower()) if cell.strip() else ""
        if key and key in header and key in keys.values():
            raise InputFileError("duplicate_column", 1, column=strip_invisible(cell.strip()))
        header.append(key)
    return header


def _xlsx_matrix(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputFileError("not_xlsx", 1) from exc
    sheet = workbook.worksheets[0]
    matrix = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    while matrix and not any(matrix[-1]):
        matrix.pop()
    return matrix


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def parse_flag(text: str) -> bool | None:
    """Yes/no as people type it in a sheet ("có", "x", "1", "TRUE"); None when it is neither."""
    return False if not text.strip() else read_yes_no(text)
