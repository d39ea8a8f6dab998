"""Read a table from an uploaded or local .csv / .xlsx file into rows keyed by header.

Line numbers are those a person sees in Excel (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from bot.services.errors import InputFileError
from bot.services.results.index_values import sniff_dialect
from bot.services.safe_text import strip_invisible

TRUE_WORDS = {"1", "true", "yes", "y", "x", "có", "co", "đúng", "dung", "c"}
FALSE_WORDS = {"0", "false", "no", "n", "không", "khong", "sai", "k", ""}


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "").strip()


def read_table(data: bytes, file_name: str) -> tuple[list[str], list[Row]]:
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        matrix = _xlsx_matrix(data)
    elif file_name.lower().endswith((".csv", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputFileError("not_utf8", 1) from exc
        matrix = list(csv.reader(io.StringIO(text), delimiter=sniff_dialect(text)))
    else:
        raise InputFileError("unsupported_table", 1, name=strip_invisible(file_name))  # the name is shown back
    if not matrix:
        raise InputFileError("empty_file", 1)
    header = [h.strip().lower() for h in matrix[0]]
    rows = []
    for line, values in enumerate(matrix[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(Row(line, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    return header, rows


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
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None
