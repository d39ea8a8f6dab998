"""Export everything collected in a period: an .xlsx a person can read and a ZIP of the evidence, both
streamed, so memory stays flat whatever the size (4,500 units × 95 answers fit in well under 300 MB).
What they hold and how it reads: bot.services.admin.export_sheets. They are named for what they are:
"DTI-2026-ket-qua.xlsx" and "DTI-2026-minh-chung.zip" (`export_names`).

Both files are written under hidden temporary names beside their final ones (`.dti-period-<id>…`)
and renamed only when complete, so an export that fails or is killed leaves no half-written file
under a final name; the next export in the folder removes what a killed one left.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.services.access import Actor
from bot.services.admin.export_sheets import export_names, safe_name, write_export
from bot.services.campaign.periods import open_periods
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from storage.db import Database
from storage.files import EvidenceStore

__all__ = ["ExportResult", "export_open_period", "export_period", "remove_abandoned", "safe_name"]


@dataclass(frozen=True)
class ExportResult:
    xlsx: Path
    archive: Path
    answers: int
    files: int


async def export_period(
    db: Database, store: EvidenceStore, period_id: int, out_dir: Path, actor: Actor
) -> ExportResult:
    """Write <out>/DTI-<year>-ket-qua.xlsx and <out>/DTI-<year>-minh-chung.zip, each whole or not at
    all (an earlier export of the same period stays as it was until both are complete)."""
    actor.require(Action.EXPORT)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned(out_dir)
    names = await export_names(db, period_id)
    xlsx_path, zip_path = out_dir / names.xlsx, out_dir / names.archive
    with (
        _partial(xlsx_path, f"dti-period-{period_id}.xlsx") as xlsx_tmp,
        _partial(zip_path, f"dti-period-{period_id}-evidence.zip") as zip_tmp,
    ):
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
def _partial(final: Path, tag: str | None = None) -> Iterator[Path]:
    """A hidden temporary file beside `final` (`.<tag or name>.<random>.partial`), locked while this
    export writes it and removed unless it was renamed to `final`. A killed process leaves it
    behind, unlocked (the kernel drops the lock), for `remove_abandoned`."""
    fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{tag or final.name}.", suffix=PARTIAL_SUFFIX)
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
    return await write_export(db, store, period_id, xlsx_path, zip_path)


async def export_open_period(
    db: Database, store: EvidenceStore, root: Path, actor: Actor, now: datetime
) -> tuple[int, ExportResult]:
    """Export the newest open period into a fresh folder under `root` (the admin's chat button).

    The files go out to the chat once: before returning, the update being handled is recorded as
    done (storage.updates joins it to this commit), so that Telegram's redelivery of the button
    press after a kill during the upload is dropped instead of sending the export again. A kill
    before the upload leaves the admin to press again (the files stay on the server).

    The export itself runs on a worker thread with its own event loop and connections: writing the
    workbook and copying the evidence into the archive would otherwise hold up every other person's
    update for as long as it takes."""
    actor.require(Action.EXPORT)
    async with db.read_session() as session:
        periods = await open_periods(session)
    if not periods:
        raise ServiceError("no_open_period")
    remove_abandoned_under(root)
    folder = root / now.strftime("%Y%m%d-%H%M%S")
    result = await asyncio.to_thread(_export_apart, db.url, store, periods[-1].id, folder, actor)
    async with db.lean() as sql:
        sql.note_write()  # nothing of its own to write: the commit carries the update's record
    return periods[-1].id, result


def _export_apart(url: str, store: EvidenceStore, period_id: int, out_dir: Path, actor: Actor) -> ExportResult:
    """`export_period` on this (worker) thread's own loop, through its own engine."""

    async def run() -> ExportResult:
        apart = Database(url)
        try:
            return await export_period(apart, store, period_id, out_dir, actor)
        finally:
            await apart.dispose()

    return asyncio.run(run())


def remove_abandoned_under(root: Path) -> None:
    """`remove_abandoned` in every export folder under `root`."""
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir():
                remove_abandoned(folder)
