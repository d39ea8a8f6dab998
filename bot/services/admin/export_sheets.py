"""The export's contents, written for a person to read: the workbook's sheets and the evidence archive.

Sheets: the ranking per cohort, points per unit × index, every answer, the evidence index (with each
file's path in the archive) and the audit log. Stored codes appear as Vietnamese words (statuses,
evidence kinds, audit actions, cohorts: bot.wording), answers as words and numbers ("Có", "87/170
hộ (51,2 %)", the chosen option's label), never as JSON. Figures are real numbers with a display
format that Excel shows the local way (1.234,50 under a Vietnamese locale), taken from the scoring
functions as the screens show them; instants are date-time cells in the campaign's timezone, shown
dd/mm/yyyy hh:mm. Each sheet has a frozen header row, filters and column widths. Everything people
typed goes in as text, never as a formula (bot.services.safe_text).

The workbook is written in openpyxl's write-only mode and the rows are streamed from the database,
so memory stays flat whatever the size. The archive lays files out as `<unit code>/<sub-index
code>/<n>-<safe name>` with a manifest.csv (UTF-8 with a BOM, for Excel).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from bot.campaign_calendar import TIMEZONE
from bot.i18n import _
from bot.services.results.scores import PeriodScores, compact_period_scores
from bot.services.safe_text import csv_row, sheet_row, strip_invisible
from bot.wording import answer_status_label, answer_words, evidence_kind_label, history_action_label, vn_points
from scoring import Framework, plain
from storage.db import Database
from storage.files import EvidenceStore
from storage.models import Answer, AnswerHistory, Evidence, FrameworkVersion, Period, Person, Unit

STREAM_ROWS = 2000
TIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
WHOLE = "#,##0"
ANSWER_PLACES = 4  # an answer's points are kept to 4 decimals and shown to 2, as on the screens


def number_format(places: int) -> str:
    """Excel's format for `places` decimals with grouped thousands ('#,##0.00'): Excel and LibreOffice
    show it with the reader's separators, 1.234,50 under a Vietnamese locale."""
    return WHOLE + ("." + "0" * places if places > 0 else "")


def safe_name(name: str, fallback: str = "tep") -> str:
    """'Quyết định số 12-QĐ.pdf' → 'Quyet-dinh-so-12-QD.pdf': no path, no surprises, at most 80 chars."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]  # a path inside a name counts for nothing
    text = unicodedata.normalize("NFKD", base.replace("đ", "d").replace("Đ", "D"))
    text = text.encode("ascii", "ignore").decode()
    stem, dot, suffix = text.rpartition(".")
    if not dot or not stem or len(suffix) > 8:
        stem, suffix = text, ""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:70] or fallback
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix)[:8]
    return f"{stem}.{suffix}" if suffix else stem


@dataclass(frozen=True)
class ExportNames:
    xlsx: str
    archive: str


async def export_names(db: Database, period_id: int) -> ExportNames:
    """Files named for what they are: "DTI-2026-ket-qua.xlsx" and "DTI-2026-minh-chung.zip". When
    another period has the same year, the framework's id is added; when it has the same framework
    too (a period opened again), the period's number."""
    async with db.read_session() as session:
        periods = (
            await session.execute(
                select(Period.id, Period.year, FrameworkVersion.framework_id).join(
                    FrameworkVersion, FrameworkVersion.id == Period.framework_version_id
                )
            )
        ).all()
    this = next((p for p in periods if p.id == period_id), None)
    if this is None:
        stem = f"DTI-ky-{period_id}"
    else:
        stem = f"DTI-{this.year}"
        same_year = [p for p in periods if p.year == this.year and p.id != period_id]
        if same_year:
            stem += f"-{safe_name(this.framework_id)}"
        if any(p.framework_id == this.framework_id for p in same_year):
            stem += f"-ky-{period_id}"
    return ExportNames(f"{stem}-ket-qua.xlsx", f"{stem}-minh-chung.zip")


# -- sheets -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    heading: str
    width: float
    format: str | None = None  # a number or date format for the column's cells


class Sheet:
    """A write-only sheet with a frozen, filtered header row and set column widths. Cells of a column
    with a format are written as styled cells (real numbers and dates); texts go through `sheet_row`."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column]) -> None:
        self.ws = book.create_sheet(title[:31])
        # Each format's style, made once and given to the column's cells (setting number_format cell by
        # cell looks the format up in the workbook each time).
        styles = {c.format: _style_of(self.ws, c.format) for c in columns if c.format is not None}
        self.styled = [(n, styles[c.format]) for n, c in enumerate(columns) if c.format is not None]
        for n, column in enumerate(columns, 1):
            self.ws.column_dimensions[get_column_letter(n)].width = column.width
        self.ws.freeze_panes = "A2"  # written before the rows: set before the first append
        self.ws.append(sheet_row(self.ws, [c.heading for c in columns]))
        self.rows = 1
        self.last = get_column_letter(len(columns))

    def add(self, values: Sequence[Any]) -> None:
        cells = sheet_row(self.ws, values)
        for n, style in self.styled:
            value = cells[n]
            if value is not None and not isinstance(value, str):
                cells[n] = Cell(self.ws, row=1, column=1, value=value, style_array=style)  # placed by append
        self.ws.append(cells)
        self.rows += 1

    def close(self) -> None:
        """The filter covers the rows written (the sheet's tail is written when the book is saved)."""
        self.ws.auto_filter.ref = f"A1:{self.last}{self.rows}"


def _style_of(ws: Any, fmt: str) -> Any:
    """The style array of a cell with the number format `fmt` (copied into each cell given it)."""
    cell = WriteOnlyCell(ws)
    cell.number_format = fmt
    return cell._style


def local_time(value: datetime | None) -> datetime | None:
    """An instant as the campaign's wall-clock time, for a date-time cell (Excel has no time zones).
    A naive instant is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TIMEZONE).replace(tzinfo=None)


def figure(value: Decimal | None, places: int) -> float | None:
    """A figure rounded as the screens round it, as a number cell."""
    return None if value is None else float(plain(value, places))


def shown(build: Callable[[], str]) -> str:
    """A stored value in words, or a note that it cannot be shown (a value that no longer fits its
    item): the export goes on; the value itself is never logged."""
    try:
        return build()
    except (ArithmeticError, ValueError, TypeError, KeyError, AttributeError, IndexError, StopIteration):
        return _("(the stored answer cannot be shown)")


class Words:
    """The words of one framework's items: sub-index names and answers."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework

    def item_name(self, code: str) -> str:
        return self.framework.sub_index(code).name if self.framework.has_sub_index(code) else ""

    def answer(self, code: str, raw: Any) -> str:
        if raw is None:
            return ""
        if not self.framework.has_sub_index(code) or not isinstance(raw, dict):
            return _("(the stored answer cannot be shown)")
        return shown(lambda: answer_words(self.framework.sub_index(code), raw))

    def cohort(self, code: str) -> str:
        return self.framework.ranking.cohort_name(code) if code else ""

    def change(self, code: str, value: Any) -> str:
        """An audit entry's before or after, in words: the answer, its points and status; or the piece
        of evidence added or removed."""
        if not isinstance(value, dict):
            return ""
        if "evidence" in value:
            kind = evidence_kind_label(str(value.get("kind", "")))
            label = value.get("label") or value.get("url") or value.get("number") or ""
            text = _("{kind} no. {id}").format(kind=kind, id=value.get("evidence", ""))
            return f"{text}: {label}" if label else text
        parts = []
        if value.get("raw") is not None:
            parts.append(_("answer: {answer}").format(answer=self.answer(code, value["raw"])))
        for key, template in (
            ("self_points", _("self points: {points}")),
            ("verified_points", _("verified points: {points}")),
        ):
            if value.get(key) is not None:
                parts.append(template.format(points=shown(lambda k=key: vn_points(Decimal(str(value[k]))))))
        if value.get("status"):
            parts.append(_("status: {status}").format(status=answer_status_label(str(value["status"]))))
        if value.get("comment"):
            parts.append(_("comment: {comment}").format(comment=value["comment"]))
        return "; ".join(parts)[:32000]


# -- the whole export -------------------------------------------------------------------------------------
async def write_export(
    db: Database, store: EvidenceStore, period_id: int, xlsx_path: Path, zip_path: Path
) -> tuple[int, int]:
    """Write the workbook and the archive; returns (answers, files)."""
    book = Workbook(write_only=True)
    try:
        return await _write_into(book, db, store, period_id, xlsx_path, zip_path)
    except BaseException:
        discard(book)
        raise


def discard(book: Workbook) -> None:
    """After a failure: close the sheets' streams and remove openpyxl's temporary files now rather
    than when the process exits (the bot runs for months)."""
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):
            if getattr(sheet, "_rows", None) is not None:
                sheet._rows.close()
            writer.close()
            writer.cleanup()


async def _write_into(
    book: Workbook, db: Database, store: EvidenceStore, period_id: int, xlsx_path: Path, zip_path: Path
) -> tuple[int, int]:
    async with db.read_session() as session:
        scores = await compact_period_scores(session, period_id)
        words = Words(scores.framework)
        units = {u.id: u for u in (await session.execute(select(Unit))).scalars()}
        people = dict((await session.execute(select(Person.id, Person.full_name))).all())
        sheets = _ranking_sheets(book, scores)
        answers, sheet = await _answers_sheet(book, session, period_id, units, people, words)
        sheets.append(sheet)
        files, sheet = await _evidence_sheet(book, session, store, period_id, units, people, zip_path)
        sheets.append(sheet)
        sheets.append(await _audit_sheet(book, session, period_id, units, people, words))
    for sheet in sheets:
        sheet.close()
    book.save(xlsx_path)
    return answers, files


def _ranking_sheets(book: Workbook, scores: PeriodScores) -> list[Sheet]:
    fw = scores.framework
    points_fmt, value_fmt = number_format(fw.rounding.points), number_format(fw.rounding.value)
    percent_fmt = number_format(fw.rounding.percent)
    ranking = Sheet(
        book,
        _("Ranking"),
        [
            Column(_("Cohort"), 24),
            Column(_("Rank"), 8, WHOLE),
            Column(_("Unit code"), 12),
            Column(_("Unit"), 40),
            Column(_("Points"), 12, points_fmt),
            Column(_("Maximum"), 12, points_fmt),
            Column(_("DTI value"), 12, value_fmt),
            Column(_("Percent"), 10, percent_fmt),
            Column(_("Band"), 16),
        ],
    )
    for cohort in scores.cohorts.values():
        for entry in cohort.entries:
            result = entry.result
            ranking.add(
                [
                    cohort.name,
                    entry.rank,
                    entry.code,
                    entry.name,
                    figure(result.points, fw.rounding.points),
                    figure(result.max_points, fw.rounding.points),
                    figure(result.value, fw.rounding.value),
                    figure(result.percent, fw.rounding.percent),
                    result.band,
                ]
            )
    points = Sheet(
        book,
        _("Points by index"),
        [
            Column(_("Unit code"), 12),
            Column(_("Unit"), 40),
            *[Column(f"{i.code}. {i.name}", 14, points_fmt) for i in fw.indices],
            Column(_("Total"), 12, points_fmt),
        ],
    )
    for cohort in scores.cohorts.values():
        for entry in cohort.entries:
            points.add(
                [
                    entry.code,
                    entry.name,
                    *[figure(entry.result.indices[i.code].points, fw.rounding.points) for i in fw.indices],
                    figure(entry.result.points, fw.rounding.points),
                ]
            )
    return [ranking, points]


async def _answers_sheet(book, session, period_id, units, people, words: Words) -> tuple[int, Sheet]:  # type: ignore[no-untyped-def]
    points_fmt = number_format(2)
    sheet = Sheet(
        book,
        _("Answers"),
        [
            Column(_("Unit code"), 12),
            Column(_("Unit"), 36),
            Column(_("Cohort"), 22),
            Column(_("Sub-index"), 10),
            Column(_("Sub-index name"), 48),
            Column(_("Answer"), 40),
            Column(_("Self points"), 11, points_fmt),
            Column(_("Verified points"), 11, points_fmt),
            Column(_("Points used"), 11, points_fmt),
            Column(_("Maximum"), 10, points_fmt),
            Column(_("Status"), 20),
            Column(_("Answered by"), 24),
            Column(_("Answered at"), 17, TIME_FORMAT),
            Column(_("Revision"), 8, WHOLE),
        ],
    )
    count = 0
    fw = words.framework
    stream = await session.stream(
        select(Answer)
        .where(Answer.period_id == period_id)
        .order_by(Answer.unit_id, Answer.sub_index_code)
        .execution_options(yield_per=STREAM_ROWS)
    )
    async for answer in stream.scalars():
        unit = units[answer.unit_id]
        code = answer.sub_index_code
        used = answer.verified_points if answer.verified_points is not None else answer.self_points
        sheet.add(
            [
                unit.code,
                unit.name,
                words.cohort(unit.cohort),
                code,
                words.item_name(code),
                words.answer(code, answer.raw),
                figure(answer.self_points, ANSWER_PLACES),
                figure(answer.verified_points, ANSWER_PLACES),
                figure(used, ANSWER_PLACES),
                figure(fw.sub_index(code).max_points, ANSWER_PLACES) if fw.has_sub_index(code) else None,
                answer_status_label(answer.status),
                people.get(answer.answered_by, ""),
                local_time(answer.answered_at),
                answer.revision,
            ]
        )
        count += 1
    return count, sheet


async def _evidence_sheet(book, session, store, period_id, units, people, zip_path: Path) -> tuple[int, Sheet]:  # type: ignore[no-untyped-def]
    """The evidence index and the archive, in one pass."""
    sheet = Sheet(
        book,
        _("Evidence"),
        [
            Column(_("Unit code"), 12),
            Column(_("Sub-index"), 10),
            Column(_("Kind"), 16),
            Column(_("File name"), 32),
            Column(_("Path in archive"), 40),
            Column(_("Size (bytes)"), 14, WHOLE),
            Column(_("SHA-256"), 20),
            Column(_("Link"), 32),
            Column(_("Document number"), 18),
            Column(_("Document date"), 12, DATE_FORMAT),
            Column(_("Summary"), 40),
            Column(_("Uploaded by"), 24),
            Column(_("Uploaded at"), 17, TIME_FORMAT),
        ],
    )
    files = 0
    counters: dict[tuple[str, str], int] = {}
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(
        [
            _("Path in archive"),
            _("Unit code"),
            _("Sub-index"),
            _("Kind"),
            _("File name"),
            _("Size (bytes)"),
            _("SHA-256"),
        ]
    )
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        stream = await session.stream(
            select(Evidence, Answer.unit_id, Answer.sub_index_code)
            .join(Answer, Answer.id == Evidence.answer_id)
            .where(Answer.period_id == period_id)
            .order_by(Answer.unit_id, Answer.sub_index_code, Evidence.id)
            .execution_options(yield_per=STREAM_ROWS)
        )
        async for evidence, unit_id, code in stream:
            unit = units[unit_id]
            file_name = strip_invisible(evidence.file_name)  # also in names kept before they were stripped
            kind = evidence_kind_label(evidence.kind)
            path = ""
            if evidence.content_key and store.exists(evidence.content_key):
                n = counters[(unit.code, code)] = counters.get((unit.code, code), 0) + 1
                path = f"{safe_name(unit.code)}/{safe_name(code)}/{n}-{safe_name(file_name)}"
                info = zipfile.ZipInfo(path, date_time=local_time(evidence.uploaded_at).timetuple()[:6])
                with store.open(evidence.content_key) as source, archive.open(info, "w") as target:
                    while chunk := source.read(1 << 20):
                        target.write(chunk)
                writer.writerow(csv_row([path, unit.code, code, kind, file_name, evidence.size, evidence.content_key]))
                files += 1
            sheet.add(
                [
                    unit.code,
                    code,
                    kind,
                    file_name,
                    path,
                    evidence.size,
                    evidence.content_key or "",
                    evidence.url,
                    evidence.doc_number,
                    evidence.doc_date if isinstance(evidence.doc_date, date) else None,
                    evidence.doc_summary,
                    people.get(evidence.uploaded_by, ""),
                    local_time(evidence.uploaded_at),
                ]
            )
        archive.writestr("manifest.csv", "\ufeff" + manifest.getvalue())
    return files, sheet


async def _audit_sheet(book, session, period_id, units, people, words: Words) -> Sheet:  # type: ignore[no-untyped-def]
    sheet = Sheet(
        book,
        _("Audit log"),
        [
            Column(_("Unit code"), 12),
            Column(_("Sub-index"), 10),
            Column(_("Revision"), 8, WHOLE),
            Column(_("Action"), 22),
            Column(_("By"), 24),
            Column(_("When"), 17, TIME_FORMAT),
            Column(_("Before"), 50),
            Column(_("After"), 50),
        ],
    )
    stream = await session.stream(
        select(AnswerHistory, Answer.unit_id, Answer.sub_index_code)
        .join(Answer, Answer.id == AnswerHistory.answer_id)
        .where(Answer.period_id == period_id)
        .order_by(AnswerHistory.id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    async for entry, unit_id, code in stream:
        sheet.add(
            [
                units[unit_id].code,
                code,
                entry.revision,
                history_action_label(entry.action),
                people.get(entry.changed_by, ""),
                local_time(entry.changed_at),
                words.change(code, entry.old),
                words.change(code, entry.new),
            ]
        )
    return sheet
