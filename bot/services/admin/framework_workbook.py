"""Frameworks as Excel workbooks: an empty template, any framework written out, a workbook read back.

A workbook holds exactly what a framework file holds (docs/frameworks.md), one sheet per level:
general information, pillars, indices, sub-indices, and the lists that hang off a sub-index
(options, criteria, tiers, number limits), plus the ranking's bands and cohorts. Headings, sheet
names and the drop-down lists are Vietnamese; a drop-down cell accepts its Vietnamese label or the
code the YAML uses. A workbook is read into the same data a YAML file gives, then validated by the
same loader, so a workbook checks, publishes and scores exactly as its YAML does. Every problem
names the sheet, the row and the column (`WorkbookErrors`).

openpyxl is imported inside the functions: the command line imports this module lazily anyway.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.i18n import _
from bot.services.access import Actor
from bot.services.admin.frameworks import PublishedFramework, publish_data_in
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from bot.services.safe_text import keep_text
from scoring import Framework, FrameworkError
from scoring.loader import (
    EVIDENCE_FIELDS,
    TOP_KEYS,
    dump_framework_data,
    find_framework,
    framework_from_data,
    resolve_framework_data,
)
from scoring.methods import FIELD_KEYS, read_yes_no
from scoring.numbers import parse_decimal
from storage.db import Database
from storage.models import Conversation, FrameworkVersion
from storage.queries import latest_framework_version

MAX_ROWS = 2000  # rows given drop-downs and read per sheet (a national framework has ~100 items)
MAX_ERRORS = 30


# -- the vocabulary: codes of the YAML and their Vietnamese labels ---------------------------------------
def _choices() -> dict[str, dict[str, str]]:
    """Every drop-down list: list name → {code: label}."""
    return {
        "method": {
            "yes_no": _("Yes/No"),
            "options": _("One of several levels"),
            "criteria": _("Sum of criteria met"),
            "ratio": _("Ratio of two numbers"),
            "count_tiers": _("Tiers by count"),
            "minmax": _("Min-max within the cohort"),
            "external": _("Entered from an outside source"),
        },
        "bool": {"true": _("Yes"), "false": _("No")},
        "below_threshold": {"proportional": _("Proportional"), "scaled": _("Scaled to the threshold")},
        "zero_denominator": {"zero": _("Zero points"), "full": _("Full points"), "not_applicable": _("Not applicable")},
        "variant": {"minmax": _("Min-max"), "max_ratio": _("Ratio to the highest value")},
        "direction": {"higher": _("Higher is better"), "lower": _("Lower is better")},
        "all_equal": {"full": _("Full points"), "zero": _("Zero points")},
        "input": {"points": _("Points"), "value": _("Value from 0 to 1")},
        "value_formula": {"total_ratio": _("Total points over the maximum"), "pillar_mean": _("Mean of the pillars")},
        "not_applicable": {"shrink_max": _("Lower the unit's maximum"), "award_full": _("Award full points")},
        "compare": {"value": _("Index value"), "points": _("Total points")},
        "field": {"a": _("First number"), "b": _("Second number"), "count": _("Count"), "value": _("Value")},
        "kinds": {"photo": _("Photo"), "file": _("File"), "link": _("Link"), "document_ref": _("Cited document")},
    }


# -- the layout -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    key: str  # the data key; "method.x" / "evidence.x" / "rounding.x" / "ranking.x" / "decision.x" nest
    heading: str
    kind: str = "text"  # text, code, number, int, bool, choice, kinds, years, date, conditions
    required: bool = False
    choices: str = ""  # the list, for kind "choice"
    help: str = ""


def _sheet_names() -> dict[str, str]:
    return {
        "guide": _("Instructions"),
        "general": _("General information"),
        "pillars": _("Pillars"),
        "indices": _("Indices"),
        "subs": _("Sub-indices"),
        "options": _("Options"),
        "criteria": _("Criteria"),
        "tiers": _("Tiers"),
        "fields": _("Number limits"),
        "bands": _("Bands"),
        "cohorts": _("Cohorts"),
        "lists": _("Lists"),
    }


def _general_rows() -> list[Col]:
    return [
        Col("id", _("Framework code"), "code", True, help=_("Letters, digits and dashes, e.g. dongthap-1397-so.")),
        Col("title", _("Framework title"), required=True),
        Col("issuer", _("Issued by")),
        Col("decision.number", _("Decision number")),
        Col("decision.date", _("Decision date"), "date", help=_("dd/mm/yyyy")),
        Col("level", _("Level"), help=_("tinh, so, huyen, xa…")),
        Col("years", _("Years of use"), "years", help=_("Separated by commas: 2025, 2026")),
        Col("total_points", _("Total points"), "number", True, help=_("The sum of the indices' points.")),
        Col("value_formula", _("Index value formula"), "choice", choices="value_formula"),
        Col("not_applicable", _("Items that do not apply"), "choice", choices="not_applicable"),
        Col("rounding.points", _("Decimals shown: points"), "int"),
        Col("rounding.value", _("Decimals shown: value"), "int"),
        Col("rounding.percent", _("Decimals shown: percent"), "int"),
        Col("rounding.sub_index", _("Round each sub-index's points to"), "int"),
        Col("ranking.compare", _("Rank by"), "choice", choices="compare"),
        Col("ranking.tie_decimals", _("Decimals compared when ranking"), "int", help=_("Empty: exact figures.")),
        Col("illustrative", _("Illustrative framework"), "bool", choices="bool"),
        Col("note", _("Note")),
    ]


def _columns() -> dict[str, list[Col]]:
    return {
        "pillars": [
            Col("code", _("Pillar code"), "code", True),
            Col("name", _("Pillar name"), required=True),
            Col("max_points", _("Maximum points"), "number", True),
        ],
        "indices": [
            Col("pillar", _("Pillar code"), "code"),
            Col("code", _("Index code"), "code", True),
            Col("name", _("Index name"), required=True),
            Col("max_points", _("Maximum points"), "number", True),
            Col("note", _("Note")),
        ],
        "subs": [
            Col("index", _("Index code"), "code", True),
            Col("code", _("Sub-index code"), "code", True),
            Col("name", _("Sub-index name"), required=True),
            Col("question", _("Question"), required=True),
            Col("hint", _("Hint")),
            Col("unit", _("Unit of measure")),
            Col("max_points", _("Maximum points"), "number", True),
            Col("method.type", _("Scoring method"), "choice", True, "method"),
            Col("method.a_label", _("Label of the first number")),
            Col("method.b_label", _("Label of the second number")),
            Col("method.full_at", _("Full points from the ratio"), "number"),
            Col("method.below_threshold", _("Below the threshold"), "choice", choices="below_threshold"),
            Col("method.zero_denominator", _("When the second number is 0"), "choice", choices="zero_denominator"),
            Col("method.allow_a_above_b", _("First number may exceed the second"), "bool", choices="bool"),
            Col("method.variant", _("Min-max variant"), "choice", choices="variant"),
            Col("method.direction", _("Better when"), "choice", choices="direction"),
            Col("method.all_equal", _("When every unit is equal"), "choice", choices="all_equal"),
            Col("method.min_value", _("Lowest value"), "number"),
            Col("method.max_value", _("Highest value"), "number"),
            Col("method.input", _("Entered as"), "choice", choices="input"),
            Col("method.provider", _("Provided by")),
            Col("evidence.required", _("Evidence required"), "bool", choices="bool"),
            Col("evidence.kinds", _("Evidence kinds"), "kinds"),
            Col("evidence.description", _("Evidence description")),
            Col("evidence.explanation_allowed", _("An explanation may replace evidence"), "bool", choices="bool"),
            Col("applies_if", _("Applies only when"), "conditions"),
            Col("skippable", _("May be skipped"), "bool", choices="bool"),
            Col("illustrative", _("Illustrative"), "bool", choices="bool"),
            Col("note", _("Note")),
        ],
        "options": [
            Col("sub", _("Sub-index code"), "code", True),
            Col("code", _("Option code"), "code", True),
            Col("label", _("Option text"), required=True),
            Col("fraction", _("Share of the maximum"), "number"),
            Col("points", _("Points"), "number"),
            Col("evidence", _("Needs evidence"), "bool", choices="bool"),
        ],
        "criteria": [
            Col("sub", _("Sub-index code"), "code", True),
            Col("code", _("Criterion code"), "code", True),
            Col("name", _("Criterion"), required=True),
            Col("points", _("Points"), "number", True),
            Col("evidence", _("Needs evidence"), "bool", choices="bool"),
        ],
        "tiers": [
            Col("sub", _("Sub-index code"), "code", True),
            Col("min", _("From (count)"), "number", True),
            Col("points", _("Points"), "number", True),
        ],
        "fields": [
            Col("sub", _("Sub-index code"), "code", True),
            Col("field", _("Number"), "choice", True, "field"),
            *(_field_col(key) for key in FIELD_KEYS),
        ],
        "bands": [
            Col("label", _("Band"), required=True),
            Col("min_percent", _("From percent"), "number", True),
        ],
        "cohorts": [
            Col("code", _("Cohort code"), "code", True),
            Col("name", _("Cohort name"), required=True),
        ],
    }


def _field_col(key: str) -> Col:
    headings = {
        "integer": (_("Whole number"), "bool"),
        "min": (_("Smallest allowed"), "number"),
        "max": (_("Largest allowed"), "number"),
        "plausible_min": (_("Smallest plausible"), "number"),
        "plausible_max": (_("Largest plausible"), "number"),
    }
    heading, kind = headings.get(key, (key, "number"))
    return Col(key, heading, kind, choices="bool" if kind == "bool" else "")


def _guide_lines() -> list[str]:
    names = _sheet_names()
    return [
        _("How to fill in a DTI framework"),
        "",
        _("• “{sheet}”: one value per row in column B (code, title, total points…).").format(sheet=names["general"]),
        _("• “{sheet}”: optional; fill it only if the framework groups indices into pillars.").format(
            sheet=names["pillars"]
        ),
        _("• “{sheet}”: one row per index; its points must equal the sum of its sub-indices.").format(
            sheet=names["indices"]
        ),
        _(
            "• “{sheet}”: one row per sub-index, under the index it belongs to; choose the scoring method from "
            "the list. Only the columns of the chosen method are filled in."
        ).format(sheet=names["subs"]),
        _("• “{sheet}”: the levels of a sub-index scored by “{method}”, one row per level.").format(
            sheet=names["options"], method=_choices()["method"]["options"]
        ),
        _("• “{sheet}”: the criteria of a sub-index scored by “{method}”; their points add up to its maximum.").format(
            sheet=names["criteria"], method=_choices()["method"]["criteria"]
        ),
        _("• “{sheet}”: the tiers of a sub-index scored by “{method}”; the highest tier earns the maximum.").format(
            sheet=names["tiers"], method=_choices()["method"]["count_tiers"]
        ),
        _("• “{sheet}”: optional limits on the numbers a unit types (whole number, smallest, largest).").format(
            sheet=names["fields"]
        ),
        _("• “{sheet}” and “{cohorts}”: the bands of the ranking and the cohorts units are ranked in.").format(
            sheet=names["bands"], cohorts=names["cohorts"]
        ),
        "",
        _("Numbers take a decimal comma or point (0,5 or 0.5). Codes are text: write 1.1, not a number."),
        _("Yes/no cells take “{yes}” or “{no}”. An empty cell means the default.").format(
            yes=_choices()["bool"]["true"], no=_choices()["bool"]["false"]
        ),
        _(
            "Check the file with `dti-bot framework check FILE.xlsx`, or send it to the bot: every problem is "
            "named by sheet, row and column, and nothing is published until the whole file is valid."
        ),
    ]


# -- errors -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkbookProblem:
    """One problem of a workbook: where it is (sheet, 1-based row, column letter and heading) and what."""

    sheet: str
    row: int | None
    column: str
    heading: str
    reason: str  # see bot.render.admin.framework_screens for the wording
    details: Mapping[str, Any] = field(default_factory=dict)


class WorkbookErrors(ServiceError):
    reason = "bad_workbook"

    def __init__(self, problems: list[WorkbookProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


# -- writing ----------------------------------------------------------------------------------------------
def template_workbook() -> bytes:
    """An empty framework workbook: instructions, headings and drop-down lists, no rows."""
    return _write(None)


def framework_workbook(data: Mapping[str, Any]) -> bytes:
    """A framework's resolved data (as loaded from YAML or from the database) as a workbook.
    Raises ValueError naming any field a workbook cannot hold (nothing is dropped silently)."""
    return _write(data)


def _write(data: Mapping[str, Any] | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    names, choices, columns = _sheet_names(), _choices(), _columns()
    tables = _tables(data) if data is not None else {}
    wb = Workbook()
    guide = wb.active
    guide.title = names["guide"]
    for n, line in enumerate(_guide_lines(), 1):
        guide.cell(row=n, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 110

    lists = wb.create_sheet(names["lists"])
    ranges: dict[str, str] = {}
    for n, (list_name, entries) in enumerate(choices.items(), 1):
        letter = get_column_letter(n)
        lists.cell(row=1, column=n, value=list_name).font = Font(bold=True)
        for m, label in enumerate(entries.values(), 2):
            lists.cell(row=m, column=n, value=label)
        lists.column_dimensions[letter].width = 28
        ranges[list_name] = f"'{names['lists']}'!${letter}$2:${letter}${len(entries) + 1}"

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    def validation(ws: Any, list_name: str, cells: str) -> None:
        dv = DataValidation(type="list", formula1=ranges[list_name], allow_blank=True)
        dv.error, dv.errorTitle = _("Choose a value from the list."), _("Invalid value")
        ws.add_data_validation(dv)
        dv.add(cells)

    general = wb.create_sheet(names["general"], 1)
    for n, heading in enumerate((_("Field"), _("Value"), _("Explanation")), 1):
        cell = general.cell(row=1, column=n, value=heading)
        cell.font, cell.fill = bold, fill
    values = tables.get("general", {})
    for n, col in enumerate(_general_rows(), 2):
        general.cell(row=n, column=1, value=col.heading).font = bold
        cell = keep_text(general.cell(row=n, column=2, value=_cell_value(col, values.get(col.key), choices)))
        cell.alignment = wrap
        if col.kind in ("code", "years", "text"):
            cell.number_format = "@"
        if col.kind == "date":
            cell.number_format = "DD/MM/YYYY"
        general.cell(row=n, column=3, value=col.help).alignment = wrap
        if col.choices:
            validation(general, col.choices, f"B{n}")
    general.column_dimensions["A"].width, general.column_dimensions["B"].width = 34, 60
    general.column_dimensions["C"].width = 40
    general.freeze_panes = "A2"

    for position, sheet in enumerate(("pillars", "indices", "subs", "options", "criteria", "tiers"), 2):
        _table_sheet(wb.create_sheet(names[sheet], position), columns[sheet], tables.get(sheet, []), choices)
    for sheet in ("fields", "bands", "cohorts"):
        _table_sheet(
            wb.create_sheet(names[sheet], wb.sheetnames.index(names["lists"])),
            columns[sheet],
            tables.get(sheet, []),
            choices,
        )
    for sheet in ("pillars", "indices", "subs", "options", "criteria", "tiers", "fields", "bands", "cohorts"):
        ws = wb[names[sheet]]
        for n, col in enumerate(columns[sheet], 1):
            header = ws.cell(row=1, column=n)
            header.font, header.fill, header.alignment = bold, fill, wrap
            letter = get_column_letter(n)
            if col.choices:
                validation(ws, col.choices, f"{letter}2:{letter}{MAX_ROWS}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _table_sheet(ws: Any, cols: list[Col], rows: list[dict[str, Any]], choices: dict[str, dict[str, str]]) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    for n, col in enumerate(cols, 1):
        ws.cell(row=1, column=n, value=col.heading)
        width = 48 if col.key in ("name", "question", "hint", "label", "evidence.description", "note") else 16
        ws.column_dimensions[get_column_letter(n)].width = width
    for r, values in enumerate(rows, 2):
        for n, col in enumerate(cols, 1):
            cell = keep_text(ws.cell(row=r, column=n, value=_cell_value(col, values.get(col.key), choices)))
            if col.kind in ("code", "text", "kinds", "conditions"):
                cell.number_format = "@"
                cell.alignment = wrap
    ws.freeze_panes = "A2"


def _cell_value(col: Col, value: Any, choices: dict[str, dict[str, str]]) -> Any:
    if value is None:
        return None
    if col.kind == "bool":
        return choices["bool"]["true" if value else "false"]
    if col.kind == "choice":
        return choices[col.choices].get(str(value), str(value))
    if col.kind == "kinds":
        return ", ".join(choices["kinds"].get(str(k), str(k)) for k in value)
    if col.kind == "years":
        return ", ".join(str(y) for y in (value if isinstance(value, list) else [value]))
    if col.kind == "conditions":
        return "; ".join(f"{k} = {_condition_text(v, choices)}" for k, v in value.items())
    if col.kind == "date":
        return value if isinstance(value, date) else str(value)
    if col.kind in ("number", "int"):
        return value if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else str(value)
    return str(value)


def _condition_text(value: Any, choices: dict[str, dict[str, str]]) -> str:
    if isinstance(value, bool):
        return choices["bool"]["true" if value else "false"]
    return str(value)


_TOP = TOP_KEYS - {"base"}  # a workbook holds a whole framework, never a reference to a base
_SUB_PLAIN = {
    "code",
    "name",
    "question",
    "hint",
    "unit",
    "max_points",
    "applies_if",
    "skippable",
    "illustrative",
    "note",
}


def _tables(data: Mapping[str, Any]) -> dict[str, Any]:
    """The rows of every sheet for a framework's data."""

    def refuse(where: str, keys: Iterable[Any]) -> None:
        extra = sorted(str(k) for k in keys)
        if extra:
            raise ValueError(f"{where}: field(s) a workbook cannot hold: {', '.join(extra)}")

    refuse("framework", set(data) - _TOP)
    general: dict[str, Any] = {
        k: data[k]
        for k in (
            "id",
            "title",
            "issuer",
            "level",
            "years",
            "total_points",
            "value_formula",
            "not_applicable",
            "illustrative",
            "note",
        )
        if k in data
    }
    for group, allowed in (("decision", {"number", "date"}), ("rounding", {"points", "value", "percent", "sub_index"})):
        nested = data.get(group) or {}
        refuse(group, set(nested) - allowed)
        general.update({f"{group}.{k}": v for k, v in nested.items()})
    ranking = data.get("ranking") or {}
    refuse("ranking", set(ranking) - {"compare", "tie_decimals", "bands", "cohorts"})
    general.update({f"ranking.{k}": ranking[k] for k in ("compare", "tie_decimals") if k in ranking})
    tables: dict[str, Any] = {
        "general": general,
        "bands": list(ranking.get("bands") or []),
        "cohorts": list(ranking.get("cohorts") or []),
    }
    pillars, indices = [], []
    for pillar in data.get("pillars") or []:
        refuse(f"pillar {pillar.get('code')}", set(pillar) - {"code", "name", "max_points", "indices"})
        pillars.append({k: pillar.get(k) for k in ("code", "name", "max_points")})
        indices += [{**i, "pillar": pillar.get("code")} for i in pillar.get("indices") or []]
    indices += list(data.get("indices") or [])
    subs, options, criteria, tiers, fields = [], [], [], [], []
    index_rows = []
    for index in indices:
        refuse(
            f"index {index.get('code')}", set(index) - {"code", "name", "max_points", "note", "sub_indices", "pillar"}
        )
        index_rows.append({k: v for k, v in index.items() if k != "sub_indices"})
        for sub in index.get("sub_indices") or []:
            code = sub.get("code")
            refuse(f"sub-index {code}", set(sub) - _SUB_PLAIN - {"method", "criteria", "evidence"})
            row = {k: sub[k] for k in _SUB_PLAIN if k in sub}
            row["index"] = index.get("code")
            for key, value in (sub.get("evidence") or {}).items():
                row[f"evidence.{key}"] = value
            refuse(f"sub-index {code} evidence", set(sub.get("evidence") or {}) - set(EVIDENCE_FIELDS))
            method = dict(sub.get("method") or {})
            for key, value in method.items():
                if key == "options":
                    options += [{**o, "sub": code} for o in value]
                elif key == "tiers":
                    tiers += [{**t, "sub": code} for t in value]
                elif isinstance(value, Mapping):
                    refuse(f"sub-index {code} {key}", set(value) - set(FIELD_KEYS))
                    fields.append({**value, "sub": code, "field": key})
                else:
                    row[f"method.{key}"] = value
            refuse(f"sub-index {code} method", {k[7:] for k in row if k.startswith("method.")} - _METHOD_SCALARS)
            criteria += [{**c, "sub": code} for c in sub.get("criteria") or []]
            subs.append(row)
    tables.update(
        pillars=pillars, indices=index_rows, subs=subs, options=options, criteria=criteria, tiers=tiers, fields=fields
    )
    return tables


_METHOD_SCALARS = {
    "type",
    "a_label",
    "b_label",
    "full_at",
    "below_threshold",
    "zero_denominator",
    "allow_a_above_b",
    "variant",
    "direction",
    "all_equal",
    "min_value",
    "max_value",
    "input",
    "provider",
}


# -- reading ----------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Compare headings and labels the way a person means them: case, accents' encoding and spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _ascii(text: str) -> str:
    """Without diacritics (đ → d): "Co", "khong" still mean yes and no."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", _fold(text)) if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


class _Reader:
    def __init__(self, workbook: Any) -> None:
        self.wb = workbook
        self.names = _sheet_names()
        self.choices = _choices()
        self.columns = _columns()
        self.problems: list[WorkbookProblem] = []
        self.where: dict[str, tuple[str, int, dict[str, tuple[str, str]]]] = {}  # loader item → location

    # problems ---------------------------------------------------------------------------------------------
    def problem(self, sheet: str, row: int | None, column: str, heading: str, reason: str, **details: Any) -> None:
        if len(self.problems) < MAX_ERRORS:
            self.problems.append(WorkbookProblem(self.names[sheet], row, column, heading, reason, details))

    # sheets -----------------------------------------------------------------------------------------------
    def sheet(self, key: str, required: bool) -> Any | None:
        wanted = _fold(self.names[key])
        for ws in self.wb.worksheets:
            if _fold(ws.title) == wanted:
                return ws
        if required:
            self.problem(key, None, "", "", "missing_sheet")
        return None

    def table(self, key: str, required: bool = False) -> list[tuple[int, dict[str, Any], dict[str, tuple[str, str]]]]:
        """The rows of a table sheet: (row number, {key: raw cell value}, {key: (letter, heading)})."""
        from openpyxl.utils import get_column_letter

        ws = self.sheet(key, required)
        if ws is None:
            return []
        cols = _columns()[key]
        rows = ws.iter_rows(min_row=1, max_row=MAX_ROWS + 1, values_only=True)
        header = next(rows, None) or ()
        by_heading = {_fold(str(h)): n for n, h in enumerate(header) if h is not None and str(h).strip()}
        positions: dict[str, int] = {}
        places: dict[str, tuple[str, str]] = {}
        for col in cols:
            n = by_heading.get(_fold(col.heading))
            if n is None:
                if col.required:
                    self.problem(key, 1, "", col.heading, "missing_column")
                continue
            positions[col.key] = n
            places[col.key] = (get_column_letter(n + 1), col.heading)
        out = []
        for number, values in enumerate(rows, 2):
            row = {k: values[n] if n < len(values) else None for k, n in positions.items()}
            row = {k: v for k, v in row.items() if not _blank(v)}
            if row:
                out.append((number, row, places))
        return out

    # cells ------------------------------------------------------------------------------------------------
    def value(self, sheet: str, number: int, col: Col, raw: Any, place: tuple[str, str]) -> Any:
        """A cell read as the data a YAML file would hold; None (and a problem) when it is wrong."""
        letter, heading = place
        try:
            return _convert(col, raw, self.choices)
        except _CellError as exc:
            self.problem(sheet, number, letter, heading, exc.reason, value=_shown(raw), **exc.details)
            return None

    def record(self, key: str, number: int, row: dict[str, Any], places: dict[str, tuple[str, str]]) -> dict[str, Any]:
        """One row of a table sheet as data; a problem for every wrong or missing cell."""
        out: dict[str, Any] = {}
        for col in self.columns[key]:
            if col.key in row:
                value = self.value(key, number, col, row[col.key], places[col.key])
                if value is not None:
                    out[col.key] = value
            elif col.required:
                letter, heading = places.get(col.key, ("", col.heading))
                self.problem(key, number, letter, heading, "missing_value")
        return out

    # the framework ----------------------------------------------------------------------------------------
    def read(self) -> dict[str, Any]:
        general = self.general()
        data: dict[str, Any] = {}
        for key in ("id", "title", "issuer"):
            if key in general:
                data[key] = general[key]
        decision = {k[9:]: general[k] for k in ("decision.number", "decision.date") if k in general}
        if decision:
            data["decision"] = decision
        for key in ("level", "years", "total_points", "value_formula"):
            if key in general:
                data[key] = general[key]
        rounding = {k[9:]: v for k, v in general.items() if k.startswith("rounding.")}
        if rounding:
            data["rounding"] = rounding
        ranking = {k[8:]: v for k, v in general.items() if k.startswith("ranking.")}
        band_rows = [(n, self.record("bands", n, r, p), p) for n, r, p in self.table("bands")]
        for n, band, p in band_rows:
            self.where[f"band {band.get('label')}"] = ("bands", n, p)
        bands = [band for _n, band, _p in band_rows]
        cohort_rows = [(n, self.record("cohorts", n, r, p), p) for n, r, p in self.table("cohorts")]
        self.unique("cohorts", [(n, c.get("code"), p) for n, c, p in cohort_rows])
        cohorts = [cohort for _n, cohort, _p in cohort_rows]
        if bands:
            ranking["bands"] = bands
        if cohorts:
            ranking["cohorts"] = cohorts
        if ranking:
            data["ranking"] = ranking
        for key in ("not_applicable", "illustrative", "note"):
            if key in general:
                data[key] = general[key]
        tree = self.tree()
        data.update(tree)
        return data

    def general(self) -> dict[str, Any]:
        ws = self.sheet("general", True)
        if ws is None:
            return {}
        by_label = {_fold(c.heading): c for c in _general_rows()}
        found: dict[str, Any] = {}
        seen: set[str] = set()
        for number, values in enumerate(ws.iter_rows(min_row=2, max_row=200, max_col=2, values_only=True), 2):
            label, raw = [*values, None, None][:2]
            if _blank(label):
                continue
            col = by_label.get(_fold(str(label)))
            if col is None:
                self.problem("general", number, "A", _("Field"), "unknown_field", value=_shown(label))
                continue
            seen.add(col.key)
            self.where.setdefault("framework", ("general", number, {}))
            self.where[f"framework:{col.key}"] = ("general", number, {col.key: ("B", col.heading)})
            if _blank(raw):
                if col.required:
                    self.problem("general", number, "B", col.heading, "missing_value")
                continue
            value = self.value("general", number, col, raw, ("B", col.heading))
            if value is not None:
                found[col.key] = value
        for col in _general_rows():
            if col.required and col.key not in seen:
                self.problem("general", None, "A", _("Field"), "missing_field", field=col.heading)
        return found

    def unique(
        self,
        sheet: str,
        entries: list[tuple[int, Any, dict[str, tuple[str, str]]]],
        seen: dict[str, tuple[str, int]] | None = None,
    ) -> None:
        """Codes must be unique (across pillars, indices and sub-indices when `seen` is shared)."""
        seen = {} if seen is None else seen
        for number, code, places in entries:
            if code is None:
                continue
            if code in seen:
                letter, heading = places.get("code", ("", ""))
                first_sheet, first_row = seen[code]
                details = {"code": code, "first_sheet": self.names[first_sheet], "first": first_row}
                self.problem(sheet, number, letter, heading, "duplicate_code", **details)
            else:
                seen[code] = (sheet, number)

    def tree(self) -> dict[str, Any]:
        columns = _columns()
        codes: dict[
            str, tuple[str, int]
        ] = {}  # every code of the tree is unique across pillars, indices and sub-indices
        pillar_rows = [(n, self.record("pillars", n, r, p), p) for n, r, p in self.table("pillars")]
        self.unique("pillars", [(n, x.get("code"), p) for n, x, p in pillar_rows], seen=codes)
        index_rows = [(n, self.record("indices", n, r, p), p) for n, r, p in self.table("indices", required=True)]
        self.unique("indices", [(n, x.get("code"), p) for n, x, p in index_rows], seen=codes)
        sub_rows = [(n, self.record("subs", n, r, p), p) for n, r, p in self.table("subs")]
        self.unique("subs", [(n, x.get("code"), p) for n, x, p in sub_rows], seen=codes)

        pillar_codes = {x["code"] for _n, x, _p in pillar_rows if "code" in x}
        index_codes = {x["code"] for _n, x, _p in index_rows if "code" in x}
        sub_codes = {x["code"] for _n, x, _p in sub_rows if "code" in x}
        for n, x, p in index_rows:
            self.where[f"index {x.get('code', '?')}"] = ("indices", n, p)
            if pillar_rows and "pillar" not in x:
                self.problem("indices", n, *p.get("pillar", ("", columns["indices"][0].heading)), "missing_value")
            elif "pillar" in x and x["pillar"] not in pillar_codes:
                self.problem(
                    "indices", n, *p["pillar"], "unknown_reference", code=x["pillar"], target=self.names["pillars"]
                )
        for n, x, p in pillar_rows:
            self.where[f"pillar {x.get('code', '?')}"] = ("pillars", n, p)

        hanging: dict[str, dict[str, list[Any]]] = {}  # sub code → options / tiers / criteria / fields
        for key in ("options", "criteria", "tiers", "fields"):
            for n, raw, p in self.table(key):
                entry = self.record(key, n, raw, p)
                sub = entry.pop("sub", None)
                if sub is None:
                    continue
                if sub not in sub_codes:
                    self.problem(key, n, *p["sub"], "unknown_reference", code=sub, target=self.names["subs"])
                    continue
                hanging.setdefault(sub, {}).setdefault(key, []).append((n, entry, p))

        subs_by_index: dict[str, list[dict[str, Any]]] = {}
        for n, x, p in sub_rows:
            code = x.get("code", "?")
            self.where[f"sub-index {code}"] = ("subs", n, p)
            if "index" in x and x["index"] not in index_codes:
                self.problem("subs", n, *p["index"], "unknown_reference", code=x["index"], target=self.names["indices"])
            sub = self.sub_index(code, x, hanging.get(code, {}))
            subs_by_index.setdefault(x.get("index", ""), []).append(sub)

        indices = []
        for _n, x, _p in index_rows:
            index = {k: x[k] for k in ("code", "name", "max_points", "note") if k in x}
            if x.get("code") in subs_by_index:
                index["sub_indices"] = subs_by_index[x["code"]]
            indices.append((x.get("pillar"), index))
        if not pillar_rows:
            return {"indices": [i for _pc, i in indices]}
        pillars = []
        for _n, x, _p in pillar_rows:
            pillar = {k: x[k] for k in ("code", "name", "max_points") if k in x}
            pillar["indices"] = [i for pc, i in indices if pc == x.get("code")]
            pillars.append(pillar)
        return {"pillars": pillars}

    def sub_index(self, code: str, row: dict[str, Any], hanging: dict[str, list[Any]]) -> dict[str, Any]:
        sub: dict[str, Any] = {}
        for key in ("code", "name", "question", "hint", "unit", "max_points"):
            if key in row:
                sub[key] = row[key]
        for key in ("illustrative", "skippable", "applies_if", "note"):
            if key in row:
                sub[key] = row[key]
        method = {k[7:]: v for k, v in row.items() if k.startswith("method.")}
        for n, entry, p in hanging.get("options", []):
            method.setdefault("options", []).append(entry)
            self.where.setdefault(f"sub-index {code}:options", ("options", n, p))
        for n, entry, p in hanging.get("tiers", []):
            method.setdefault("tiers", []).append(entry)
            self.where.setdefault(f"sub-index {code}:tiers", ("tiers", n, p))
        for n, entry, p in hanging.get("fields", []):
            name = entry.pop("field", None)
            if name is None:
                continue
            if name in method:
                self.problem("fields", n, *p["field"], "duplicate_field", code=name)
                continue
            method[name] = entry
            self.where[f"sub-index {code}:field:{name}"] = ("fields", n, p)
        if method:
            sub["method"] = method
        for n, entry, p in hanging.get("criteria", []):
            sub.setdefault("criteria", []).append(entry)
            self.where[f"sub-index {code} criterion {entry.get('code')}"] = ("criteria", n, p)
            self.where.setdefault(f"sub-index {code}:criteria", ("criteria", n, p))
        evidence = {k[9:]: v for k, v in row.items() if k.startswith("evidence.")}
        if evidence:
            sub["evidence"] = evidence
        return sub


class _CellError(Exception):
    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def _yaml_number(value: Decimal) -> int | float | str:
    """A YAML-safe form of an exact number: an int, a float that reads back exactly, or text."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else format(value, "f")


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _CellError("not_a_number")
    if isinstance(raw, float):
        raw = Decimal(repr(raw))
    try:
        return parse_decimal(raw if isinstance(raw, int | Decimal) else str(raw))
    except (ValueError, InvalidOperation) as exc:
        raise _CellError("not_a_number") from exc


def _code_text(raw: Any) -> str:
    if isinstance(raw, float):
        return repr(raw)
    if isinstance(raw, datetime | date):
        raise _CellError("not_a_code")
    return str(raw).strip()


def _choice(raw: Any, entries: Mapping[str, str]) -> str:
    wanted = _fold(str(raw))
    for code, label in entries.items():
        if wanted in (_fold(code), _fold(label)) or _ascii(str(raw)) == _ascii(label):
            return code
    raise _CellError("not_in_list", known=", ".join(entries.values()))


def _bool(raw: Any, choices: Mapping[str, Mapping[str, str]]) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    said = read_yes_no(_ascii(str(raw)))
    return said if said is not None else _choice(raw, choices["bool"]) == "true"


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _CellError("not_a_date") from exc


def _convert(col: Col, raw: Any, choices: Mapping[str, Mapping[str, str]]) -> Any:
    kind = col.kind
    if kind == "text":
        if isinstance(raw, datetime | date):
            return _shown(raw)
        return _code_text(raw) if isinstance(raw, float) else str(raw).strip()
    if kind == "code":
        return _code_text(raw)
    if kind == "number":
        return _yaml_number(_decimal(raw))
    if kind == "int":
        value = _decimal(raw)
        if value != value.to_integral_value() or value < 0:
            raise _CellError("not_a_whole_number")
        return int(value)
    if kind == "bool":
        return _bool(raw, choices)
    if kind == "choice":
        return _choice(raw, choices[col.choices])
    if kind == "kinds":
        return [_choice(part, choices["kinds"]) for part in re.split(r"[,;]", str(raw)) if part.strip()]
    if kind == "years":
        parts = [p for p in re.split(r"[,;\s]+", _code_text(raw)) if p]
        if not all(p.isdigit() and len(p) == 4 for p in parts):
            raise _CellError("not_years")
        return [int(p) for p in parts]
    if kind == "date":
        return _date(raw)
    if kind == "conditions":
        return _conditions(str(raw), choices)
    raise AssertionError(kind)


def _conditions(text: str, choices: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in (p for p in text.split(";") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise _CellError("bad_condition")
        value = value.strip()
        try:
            out[key.strip()] = _bool(value, choices)
        except _CellError:
            out[key.strip()] = int(value) if value.lstrip("-").isdigit() else value
    return out


# -- the loader's verdict, placed on the sheet --------------------------------------------------------------
_QUOTED = re.compile(r"'([a-z_]+)(?:\.([a-z_]+))?'")


def _locate(reader: _Reader, error: FrameworkError) -> WorkbookProblem:
    """The sheet, row and column of the loader's `item` (e.g. "sub-index 1.2") and its problem."""
    item, problem = error.item, error.problem
    details = {"problem": problem}
    place: tuple[str, int, dict[str, tuple[str, str]]] | None = None
    column = ("", "")
    quoted = _QUOTED.findall(problem)
    if item == "framework" or item == "ranking":
        for key, _sub in quoted:
            for candidate in (key, f"ranking.{key}", f"rounding.{key}", f"decision.{key}"):
                if f"framework:{candidate}" in reader.where:
                    place = reader.where[f"framework:{candidate}"]
                    column = place[2][candidate]
                    break
            if place:
                break
        if place is None and item == "ranking" and ("band" in problem or "cohort" in problem):
            sheet = "bands" if "band" in problem else "cohorts"
            return WorkbookProblem(reader.names[sheet], None, "", "", "framework", details)
        if place is None and ("indices" in problem or "pillars" in problem):
            place = reader.where.get("framework:total_points")
            column = place[2]["total_points"] if place else column
        place = place or reader.where.get("framework")
    elif item.startswith("sub-index ") and " criterion " not in item:
        place = reader.where.get(item)
        fields = [(k, s) for k, s in quoted if s and f"{item}:field:{k}" in reader.where]
        if fields:
            key, sub_key = fields[0]
            place = reader.where[f"{item}:field:{key}"]
            column = place[2].get(sub_key, place[2].get("field", ("", "")))
        elif re.search(r"\boption", problem) and f"{item}:options" in reader.where:
            place = reader.where[f"{item}:options"]
            column = place[2].get("fraction") or place[2].get("points") or place[2]["code"]
        elif "tier" in problem and f"{item}:tiers" in reader.where:
            place = reader.where[f"{item}:tiers"]
            column = place[2].get("points", ("", ""))
        elif "criteria points" in problem and f"{item}:criteria" in reader.where:
            place = reader.where[f"{item}:criteria"]
            column = place[2].get("points", ("", ""))
        elif place is not None:
            for key, _sub in quoted:
                for candidate in (key, f"method.{key}", f"evidence.{key}"):
                    if candidate in place[2]:
                        column = place[2][candidate]
                        break
                if column[0]:
                    break
            if not column[0]:
                guess = "max_points" if "sum to" in problem else "method.type"
                column = place[2].get(guess, ("", ""))
    else:
        place = reader.where.get(item)
        if place is not None:
            key = next((k for k, _s in quoted if k in place[2]), "max_points" if "sum to" in problem else "code")
            column = place[2].get(key, ("", ""))
    if place is None:
        return WorkbookProblem(reader.names["general"], None, "", "", "framework", details)
    sheet, number, _places = place
    return WorkbookProblem(reader.names[sheet], number, column[0], column[1], "framework", details)


# -- the entry points -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedWorkbook:
    data: dict[str, Any]  # the framework's data, as a YAML file would hold it
    framework: Framework


def read_framework_workbook(content: bytes, source: str = "workbook.xlsx") -> CheckedWorkbook:
    """Read and validate a framework workbook; raises WorkbookErrors naming every problem found."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookErrors([WorkbookProblem("", None, "", "", "not_xlsx")]) from exc
    try:
        reader = _Reader(workbook)
        data = reader.read()
        if reader.problems:
            raise WorkbookErrors(reader.problems)
        try:
            framework = framework_from_data(data, source)
        except FrameworkError as exc:
            raise WorkbookErrors([_locate(reader, exc)]) from exc
        return CheckedWorkbook(data, framework)
    finally:
        workbook.close()


@dataclass(frozen=True)
class IndexSummary:
    code: str
    name: str
    max_points: Decimal
    sub_indices: int


@dataclass(frozen=True)
class FrameworkSummary:
    framework_id: str
    title: str
    total_points: Decimal
    indices: tuple[IndexSummary, ...]
    sub_indices: int
    content_hash: str = ""
    already_published: bool = False


def summarise(framework: Framework, content_hash: str = "", *, already: bool = False) -> FrameworkSummary:
    return FrameworkSummary(
        framework.id,
        framework.title,
        framework.total_points,
        tuple(IndexSummary(i.code, i.name, i.max_points, len(i.sub_indices)) for i in framework.indices),
        len(framework.sub_indices),
        content_hash,
        already,
    )


# -- with the database ------------------------------------------------------------------------------------
async def framework_data(db: Database | None, ref: str, dirs: list[Path] | None = None) -> dict[str, Any]:
    """The data of a shipped framework (a file, by path or id) or, failing that, of the latest
    version published in the database under that id."""
    try:
        path = find_framework(ref, dirs)
    except FrameworkError:
        if db is None:
            raise
        async with db.read_session() as session:
            version = await latest_framework_version(session, ref)
        if version is None:
            raise
        return resolve_framework_data(version.definition, f"{version.framework_id}@{version.content_hash[:12]}")
    return resolve_framework_data(path.read_text(encoding="utf-8"), str(path), dirs)


async def publish_workbook(db: Database, actor: Actor, content: bytes, source: str) -> PublishedFramework:
    """Check a workbook and store the framework it holds (idempotent, like a YAML file)."""
    actor.require(Action.PUBLISH_FRAMEWORK)
    checked = await asyncio.to_thread(read_framework_workbook, content, source)
    async with db.session() as session, session.begin():
        return await publish_data_in(session, checked.data, source)


async def check_upload(db: Database, actor: Actor, content: bytes, name: str) -> FrameworkSummary:
    """An admin sent a workbook in the chat: check it and keep it, waiting for the confirmation.
    Nothing is stored in the framework table until `publish_pending`. The workbook is read on a
    worker thread (a large one takes a while)."""
    actor.require(Action.PUBLISH_FRAMEWORK)
    checked = await asyncio.to_thread(read_framework_workbook, content, name)
    definition = dump_framework_data(checked.data)
    content_hash = hashlib.sha256(definition.encode("utf-8")).hexdigest()
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            conversation = Conversation(person_id=actor.person_id, cursor={})
            session.add(conversation)
        conversation.cursor = {"flow": "framework", "definition": definition, "hash": content_hash}
        existing = (
            await session.execute(
                select(FrameworkVersion.id).where(
                    FrameworkVersion.framework_id == checked.framework.id,
                    FrameworkVersion.content_hash == content_hash,
                )
            )
        ).first()
    return summarise(checked.framework, content_hash, already=existing is not None)


async def publish_pending(db: Database, actor: Actor, hash_prefix: str) -> PublishedFramework:
    """Publish the workbook the admin confirmed (the button names its content, so a stale button
    cannot publish a later upload)."""
    actor.require(Action.PUBLISH_FRAMEWORK)
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        cursor = (conversation.cursor or {}) if conversation else {}
        if (
            cursor.get("flow") != "framework"
            or not hash_prefix
            or not str(cursor.get("hash", "")).startswith(hash_prefix)
        ):
            raise ServiceError("framework_not_pending")
        source = f"workbook@{cursor['hash'][:12]}"
        published = await publish_data_in(session, resolve_framework_data(cursor["definition"], source), source)
        conversation.cursor = {}  # type: ignore[union-attr]
        return published


async def drop_pending(db: Database, actor: Actor) -> None:
    """The admin's next document is no longer read as a framework workbook."""
    actor.require(Action.PUBLISH_FRAMEWORK)
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is not None and (conversation.cursor or {}).get("flow") == "framework":
            conversation.cursor = {}


async def expect_framework(db: Database, actor: Actor) -> None:
    """The admin is about to send a framework workbook (the next document is read as one)."""
    actor.require(Action.PUBLISH_FRAMEWORK)
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            conversation = Conversation(person_id=actor.person_id, cursor={})
            session.add(conversation)
        conversation.cursor = {"flow": "framework"}


async def expecting_framework(db: Database, actor: Actor) -> bool:
    """True while an admin asked to send a framework (also after a checked or a refused workbook,
    so that a corrected file can follow)."""
    if not actor.may(Action.PUBLISH_FRAMEWORK):
        return False
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        return bool(conversation and (conversation.cursor or {}).get("flow") == "framework")
