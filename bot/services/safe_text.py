"""Text people supplied, made safe to keep, show and share.

- Invisible controls. Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) make a
  file name such as "bao-cao<U+202E>fdp.exe" look like "bao-caoexe.pdf"; zero-width characters (U+200B–U+200F,
  U+2060, U+FEFF) make a text look empty, or two different texts look the same. File names lose
  them; a comment or a broadcast made of nothing else is refused (`visible`).
- Spreadsheet formulas. A spreadsheet reads a cell that starts with = + - @ (or a tab, a carriage
  return) as a formula, so a unit name or a comment such as =HYPERLINK("http://…") would become a
  live formula in an export (CSV/formula injection). Every .xlsx and .csv the bot writes goes
  through `sheet_row` / `csv_row`: texts stay texts, shown as typed; numbers stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters an .xlsx cannot hold (openpyxl refuses them): C0 controls other than tab, LF and CR.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))  # else an error cell


def strip_invisible(text: str) -> str:
    """The text without bidirectional controls and zero-width characters."""
    return INVISIBLE.sub("", text)


def visible(text: str) -> str:
    """What a person actually sees: no invisible characters, no surrounding white space. Empty for a
    text made only of them."""
    return strip_invisible(text).strip()


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: a text a spreadsheet would take for a formula gets a leading
    apostrophe (OWASP's advice), so it opens as the text it is. Other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def sheet_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` (a normal or write-only openpyxl sheet) in which every text is a text
    cell, shown as typed: never a formula nor an error value. A text starting like a formula also
    gets Excel's quote prefix, so that it stays text when someone edits the cell; characters an
    .xlsx cannot hold are dropped. Numbers, dates and empty cells pass unchanged; so do ordinary
    texts (openpyxl already writes those as text), which keeps a large export fast."""
    return [_text_cell(sheet, value) if isinstance(value, str) and _needs_care(value) else value for value in values]


def keep_text(cell: Any) -> Any:
    """Make an openpyxl cell that holds a text stay that text (for sheets written cell by cell)."""
    if isinstance(cell.value, str) and _needs_care(cell.value):
        starts_like_formula = cell.value.startswith(FORMULA_START)
        cell.value = _NOT_IN_XLSX.sub("", cell.value)
        cell.data_type = "s"
        if starts_like_formula:
            cell.quotePrefix = True
    return cell


def _needs_care(text: str) -> bool:
    return text.startswith(FORMULA_START) or text in _XLSX_ERRORS or _NOT_IN_XLSX.search(text) is not None


def _text_cell(sheet: Any, text: str) -> Any:
    from openpyxl.cell.cell import Cell

    cell = Cell(sheet, row=1, column=1, value=_NOT_IN_XLSX.sub("", text))  # placed by append
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell
