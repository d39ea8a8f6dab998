"""Export everything collected in a period: an .xlsx and a ZIP of the evidence, both streamed, so
memory stays flat whatever the size (4,500 units × 95 answers fit in well under 300 MB).

The workbook: the ranking per cohort, points per unit × index, every answer (raw inputs, self and
verified points, status, who, when), the evidence index (with each file's path in the archive) and
the audit log. The archive lays files out as `<unit code>/<sub-index code>/<n>-<safe name>` with a
manifest.csv; names come from people, so they are reduced to safe ASCII.

Everything people typed goes into the sheets as text, never as a formula (bot.services.safe_text).
Both files are written under hidden temporary names beside their final ones and renamed only when
complete, so an export that fails or is killed leaves no half-written file under a final name; the
next export in the folder removes what a killed one left.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from bot.i18n import _
from bot.services.access import Actor, NotAllowed
from bot.services.campaign.progress import open_periods
from bot.services.errors import ServiceError
from bot.services.results.scores import compact_period_scores
from bot.services.safe_text import csv_row, sheet_row, strip_invisible
from scoring import plain
from storage.db import Database
from storage.files import EvidenceStore
from storage.models import Answer, AnswerHistory, Evidence, Person, Unit
from storage.types import utcnow

STREAM_ROWS = 2000


@dataclass(frozen=True)
class ExportResult:
    xlsx: Path
    archive: Path
    answers: int
    files: int


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


def require_admin(actor: Actor | None) -> None:
    if actor is not None and not any(r.role == "admin" for r in actor.roles):
        raise NotAllowed(role="admin")


async def export_period(
    db: Database, store: EvidenceStore, period_id: int, out_dir: Path, actor: Actor | None = None
) -> ExportResult:
    """Write <out>/dti-period-<id>.xlsx and <out>/dti-period-<id>-evidence.zip, each whole or not at
    all (an earlier export of the same period stays as it was until both are complete)."""
    require_admin(actor)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned(out_dir)
    xlsx_path = out_dir / f"dti-period-{period_id}.xlsx"
    zip_path = out_dir / f"dti-period-{period_id}-evidence.zip"
    with _partial(xlsx_path) as xlsx_tmp, _partial(zip_path) as zip_tmp:
        answers, files = await _write(db, store, period_id, xlsx_tmp, zip_tmp)
        _publish(zip_tmp, zip_path)
        _publish(xlsx_tmp, xlsx_path)
    return ExportResult(xlsx_path, zip_path, answers, files)


def _publish(partial: Path, final: Path) -> None:
    """On disk first (a power cut must not leave an empty file under the final name), then renamed."""
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, final)


PARTIAL_SUFFIX = ".partial"


@contextlib.contextmanager
def _partial(final: Path) -> Iterator[Path]:
    """A hidden temporary file beside `final` (`.<name>.<random>.partial`), locked while this
    export writes it and removed unless it was renamed to `final`. A killed process leaves it
    behind, unlocked (the kernel drops the lock), for `remove_abandoned`."""
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=PARTIAL_SUFFIX)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield Path(name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)  # renamed already when the export completed
        os.close(fd)


def remove_abandoned(folder: Path) -> int:
    """Remove the temporary files of exports killed while writing in `folder` (those no live export
    holds); returns how many."""
    removed = 0
    for path in folder.glob(f".dti-period-*{PARTIAL_SUFFIX}"):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # another export is writing it
        else:
            path.unlink(missing_ok=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


async def _write(
    db: Database, store: EvidenceStore, period_id: int, xlsx_path: Path, zip_path: Path
) -> tuple[int, int]:
    book = Workbook(write_only=True)
    try:
        return await _write_into(book, db, store, period_id, xlsx_path, zip_path)
    except BaseException:
        _discard(book)
        raise


def _discard(book: Workbook) -> None:
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
    answers = files = 0
    async with db.read_session() as session:
        scores = await compact_period_scores(session, period_id)
        units = {u.id: u for u in (await session.execute(select(Unit))).scalars()}
        people = dict((await session.execute(select(Person.id, Person.full_name))).all())
        _ranking_sheets(book, scores)
        # answers (streamed)
        sheet = book.create_sheet(_("Answers")[:31])
        sheet.append(
            sheet_row(
                sheet,
                [
                    _("Unit code"),
                    _("Unit"),
                    _("Sub-index"),
                    _("Raw answer"),
                    _("Self points"),
                    _("Verified points"),
                    _("Points used"),
                    _("Status"),
                    _("Answered by"),
                    _("Answered at"),
                    _("Revision"),
                ],
            )
        )
        stream = await session.stream(
            select(Answer)
            .where(Answer.period_id == period_id)
            .order_by(Answer.unit_id, Answer.sub_index_code)
            .execution_options(yield_per=STREAM_ROWS)
        )
        async for answer in stream.scalars():
            unit = units[answer.unit_id]
            used = answer.verified_points if answer.verified_points is not None else answer.self_points
            sheet.append(
                sheet_row(
                    sheet,
                    [
                        unit.code,
                        unit.name,
                        answer.sub_index_code,
                        json.dumps(answer.raw, ensure_ascii=False) if answer.raw is not None else "",
                        _num(answer.self_points),
                        _num(answer.verified_points),
                        _num(used),
                        answer.status,
                        people.get(answer.answered_by, ""),
                        _time(answer.answered_at),
                        answer.revision,
                    ],
                )
            )
            answers += 1
        # evidence index + archive, one pass
        ev_sheet = book.create_sheet(_("Evidence")[:31])
        ev_sheet.append(
            sheet_row(
                ev_sheet,
                [
                    _("Unit code"),
                    _("Sub-index"),
                    _("Kind"),
                    _("File name"),
                    _("Path in archive"),
                    _("Size (bytes)"),
                    _("SHA-256"),
                    _("Link"),
                    _("Document number"),
                    _("Document date"),
                    _("Summary"),
                    _("Uploaded by"),
                    _("Uploaded at"),
                ],
            )
        )
        counters: dict[tuple[str, str], int] = {}
        manifest = io.StringIO()
        writer = csv.writer(manifest)
        writer.writerow(["path", "unit_code", "sub_index", "kind", "original_name", "size", "sha256"])
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
                path = ""
                if evidence.content_key and store.exists(evidence.content_key):
                    n = counters[(unit.code, code)] = counters.get((unit.code, code), 0) + 1
                    path = f"{safe_name(unit.code)}/{safe_name(code)}/{n}-{safe_name(file_name)}"
                    info = zipfile.ZipInfo(path, date_time=evidence.uploaded_at.timetuple()[:6])
                    with store.open(evidence.content_key) as source, archive.open(info, "w") as target:
                        while chunk := source.read(1 << 20):
                            target.write(chunk)
                    writer.writerow(
                        csv_row([path, unit.code, code, evidence.kind, file_name, evidence.size, evidence.content_key])
                    )
                    files += 1
                ev_sheet.append(
                    sheet_row(
                        ev_sheet,
                        [
                            unit.code,
                            code,
                            evidence.kind,
                            file_name,
                            path,
                            evidence.size,
                            evidence.content_key or "",
                            evidence.url,
                            evidence.doc_number,
                            evidence.doc_date.isoformat() if evidence.doc_date else "",
                            evidence.doc_summary,
                            people.get(evidence.uploaded_by, ""),
                            _time(evidence.uploaded_at),
                        ],
                    )
                )
            archive.writestr("manifest.csv", manifest.getvalue())
        # audit log
        audit = book.create_sheet(_("Audit log")[:31])
        audit.append(
            sheet_row(
                audit,
                [
                    _("Unit code"),
                    _("Sub-index"),
                    _("Revision"),
                    _("Action"),
                    _("By"),
                    _("When"),
                    _("Before"),
                    _("After"),
                ],
            )
        )
        stream = await session.stream(
            select(AnswerHistory, Answer.unit_id, Answer.sub_index_code)
            .join(Answer, Answer.id == AnswerHistory.answer_id)
            .where(Answer.period_id == period_id)
            .order_by(AnswerHistory.id)
            .execution_options(yield_per=STREAM_ROWS)
        )
        async for entry, unit_id, code in stream:
            audit.append(
                sheet_row(
                    audit,
                    [
                        units[unit_id].code,
                        code,
                        entry.revision,
                        entry.action,
                        people.get(entry.changed_by, ""),
                        _time(entry.changed_at),
                        _json(entry.old),
                        _json(entry.new),
                    ],
                )
            )
    book.save(xlsx_path)
    return answers, files


async def export_open_period(db: Database, store: EvidenceStore, root: Path, actor: Actor) -> tuple[int, ExportResult]:
    """Export the newest open period into a fresh folder under `root` (the admin's chat button).

    The files go out to the chat once: before returning, the update being handled is recorded as
    done (storage.updates joins it to this commit), so that Telegram's redelivery of the button
    press after a kill during the upload is dropped instead of sending the export again. A kill
    before the upload leaves the admin to press again (the files stay on the server)."""
    require_admin(actor)
    async with db.read_session() as session:
        periods = await open_periods(session)
    if not periods:
        raise ServiceError("no_open_period")
    remove_abandoned_under(root)
    folder = root / utcnow().strftime("%Y%m%d-%H%M%S")
    result = await export_period(db, store, periods[-1].id, folder, actor)
    async with db.lean() as sql:
        sql.note_write()  # nothing of its own to write: the commit carries the update's record
    return periods[-1].id, result


def remove_abandoned_under(root: Path) -> None:
    """`remove_abandoned` in every export folder under `root`."""
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir():
                remove_abandoned(folder)


def _ranking_sheets(book: Workbook, scores) -> None:  # type: ignore[no-untyped-def]
    fw = scores.framework
    ranking = book.create_sheet(_("Ranking")[:31])
    ranking.append(
        sheet_row(
            ranking,
            [
                _("Cohort"),
                _("Rank"),
                _("Unit code"),
                _("Unit"),
                _("Points"),
                _("Maximum"),
                _("DTI value"),
                _("Percent"),
                _("Band"),
            ],
        )
    )
    for cohort in scores.cohorts.values():
        for entry in cohort.entries:
            result = entry.result
            ranking.append(
                sheet_row(
                    ranking,
                    [
                        cohort.name,
                        entry.rank,
                        entry.code,
                        entry.name,
                        float(plain(result.points, 2)),
                        float(result.max_points),
                        float(plain(result.value, 4)),
                        float(plain(result.percent, 1)),
                        result.band,
                    ],
                )
            )
    points = book.create_sheet(_("Points by index")[:31])
    points.append(
        sheet_row(points, [_("Unit code"), _("Unit"), *[f"{i.code}. {i.name}" for i in fw.indices], _("Total")])
    )
    for cohort in scores.cohorts.values():
        for entry in cohort.entries:
            points.append(
                sheet_row(
                    points,
                    [
                        entry.code,
                        entry.name,
                        *[float(plain(entry.result.indices[i.code].points, 2)) for i in fw.indices],
                        float(plain(entry.result.points, 2)),
                    ],
                )
            )


def _num(value) -> float | None:  # type: ignore[no-untyped-def]
    """Points for a spreadsheet: 4 decimals (Excel keeps 15 digits; the raw answer sits beside them
    for an exact recomputation)."""
    return None if value is None else float(plain(value, 4))


def _time(value) -> str:  # type: ignore[no-untyped-def]
    return value.isoformat(timespec="seconds") if value else ""


def _json(value) -> str:  # type: ignore[no-untyped-def]
    return "" if value is None else json.dumps(value, ensure_ascii=False)[:32000]
