"""Exports are safe to open and to share: what people typed stays text, never a formula; a failed or
killed export leaves no half-written file; the chat export goes out once. Invisible characters do not
hide in file names, and a comment or broadcast made only of them is refused."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.render.admin.sheets import invites_csv, progress_xlsx
from bot.render.errors import service_error
from bot.services.access import SYSTEM, load_actor
from bot.services.admin import export
from bot.services.admin.invites import IssuedInvite
from bot.services.appraisal import review
from bot.services.assessment import evidence
from bot.services.assessment import flow as assessment
from bot.services.campaign import broadcasts
from bot.services.campaign.progress import Contact, ProgressReport, UnitProgress
from bot.services.errors import ServiceError
from bot.services.safe_text import csv_row, strip_invisible, visible
from storage import updates
from storage.models import Answer, Evidence, Person, Unit
from storage.types import utcnow
from tests.services.helpers import demo_campaign

ROOT = Path(__file__).resolve().parents[2]
FOCAL, REVIEWER, COORDINATOR, ADMIN = 700001, 700006, 700007, 700008
LINK = '=HYPERLINK("http://x","y")'
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PDF = b"%PDF-1.4\n% a small test document\n"
INVISIBLE_ONLY = "\u200b\u200e\u2060 \ufeff\u202e\u2066"


@pytest.fixture
async def demo(db, store):
    return await demo_campaign(db, store, today=date(2026, 11, 22), now=utcnow())


def scan_workbook(path: Path) -> list:
    """Every cell of every sheet; and the sheets' XML holds no formula element at all."""
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                xml = package.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, name
    book = load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


async def hostile_campaign(db, store, demo):
    """The demo, with the texts people control made to look like formulas: a unit's name, a focal
    point's name, a cited document's number and summary, a file's name."""
    focal = await load_actor(db, FOCAL)
    view = await assessment.open_current(db, focal, now=utcnow())
    unit_id, period_id = view.ref.unit_id, view.ref.period_id
    async with db.session() as session, session.begin():
        (await session.get(Unit, unit_id)).name = "@SUM(A1)"
        (await session.get(Person, focal.person_id)).full_name = "-2"
    code = view.sub.code
    await evidence.start_document_ref(db, focal, unit_id, period_id, code, now=utcnow())
    await assessment.answer_text(db, focal, "+1", now=utcnow())
    await assessment.answer_text(db, focal, "24/10/2023", now=utcnow())
    await assessment.answer_text(db, focal, LINK, now=utcnow())
    await assessment.navigate(db, focal, unit_id, period_id, code, "evidence", now=utcnow())
    incoming = evidence.IncomingFile("document", "file-1", "unique-1", "=cmd|'calc'!A0.pdf", "application/pdf", 40)
    target = await evidence.evidence_target(db, focal, incoming, now=utcnow())
    await evidence.add_file(db, store, focal, target, incoming, PDF, now=utcnow())
    return focal, unit_id, period_id, code


async def test_every_text_people_typed_is_exported_as_text_never_as_a_formula(db, store, demo, tmp_path):
    await hostile_campaign(db, store, demo)
    result = await export.export_period(db, store, demo.period_id, tmp_path / "out", SYSTEM)
    cells = scan_workbook(result.xlsx)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {LINK, "+1", "-2", "@SUM(A1)", "=cmd|'calc'!A0.pdf"} <= texts  # shown as typed
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert any(isinstance(c.value, float) and c.data_type == "n" for c in cells)  # points stay numbers
    with zipfile.ZipFile(result.archive) as archive:
        manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode())))
    fields = [field for row in manifest for field in row]
    assert not [f for f in fields if f.startswith(FORMULA_START)]
    assert "'=cmd|'calc'!A0.pdf" in fields


def test_the_progress_table_and_the_invitation_links_keep_texts_as_texts(tmp_path):
    unit = UnitProgress(1, "+1", LINK, "@SUM(A1)", total=4, answered=2, focal_points=[Contact(1, 1, "-2", True)])
    odd = UnitProgress(2, "#N/A", "Sở\x0bY tế", "so-nganh", total=1)  # an error code; a control character
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(progress_xlsx(ProgressReport("DTI 2026", date(2026, 11, 30), (unit, odd))))
    cells = scan_workbook(path)
    assert [c.coordinate for c in cells if c.data_type in ("f", "e")] == []
    assert {"+1", LINK, "@SUM(A1)", "-2", "#N/A", "SởY tế"} <= {c.value for c in cells}
    assert 2 in {c.value for c in cells}  # counts stay numbers
    issued = [IssuedInvite("abc", "focal_point", "=1+1", "-2 Sở Nội vụ", datetime(2026, 12, 1, tzinfo=UTC))]
    rows = list(csv.reader(io.StringIO(invites_csv(issued, "dti_bot").decode("utf-8-sig"))))
    assert rows[1][:2] == ["'=1+1", "'-2 Sở Nội vụ"]
    assert not [f for row in rows for f in row if f.startswith(FORMULA_START)]


async def test_an_export_that_fails_mid_way_leaves_the_previous_files_and_no_partial_one(
    db, store, demo, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    done = await export.export_period(db, store, demo.period_id, out, SYSTEM)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_disk(key):
        raise OSError("disk gone")

    monkeypatch.setattr(store, "open", broken_disk)
    scratch = set(openpyxl_scratch_files())
    with pytest.raises(OSError):
        await export.export_period(db, store, demo.period_id, out, SYSTEM)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no hidden partial file either
    assert set(openpyxl_scratch_files()) == scratch  # the sheets' temporary files went too
    assert sorted(before) == sorted([done.xlsx.name, done.archive.name])


def openpyxl_scratch_files():
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    return [path for path in ALL_TEMP_FILES if os.path.exists(path)]


KILLED_EXPORT = """
import os, signal, sys, zipfile
def die(*args, **kwargs):  # the process is killed while the archive is being written
    os.kill(os.getpid(), signal.SIGKILL)
zipfile.ZipFile.writestr = die
sys.argv = ["dti-bot", "export", "--period", sys.argv[1], "--out", sys.argv[2]]
from bot.cli import main
main()
"""


@pytest.mark.slow  # runs the command line as a process of its own
async def test_an_export_killed_with_sigkill_leaves_no_file_under_a_final_name_and_the_next_cleans_up(
    db, store, demo, tmp_path
):
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env.update({"DTI_DATA_DIR": str(tmp_path), "DTI_DATABASE_URL": db.url})
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(demo.period_id), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    left = sorted(p.name for p in out.iterdir())
    assert left and all(n.startswith(".dti-period-") and n.endswith(".partial") for n in left)  # hidden, unfinished
    result = await export.export_period(db, store, demo.period_id, out, SYSTEM)
    assert sorted(p.name for p in out.iterdir()) == sorted([result.xlsx.name, result.archive.name])
    with zipfile.ZipFile(result.archive) as archive:
        assert archive.testzip() is None and "manifest.csv" in archive.namelist()
    assert load_workbook(result.xlsx).sheetnames


def test_a_running_exports_temporary_file_is_left_alone_by_another_export(tmp_path):
    with export._partial(tmp_path / "dti-period-1.xlsx") as partial:
        assert export.remove_abandoned(tmp_path) == 0 and partial.exists()
    assert list(tmp_path.iterdir()) == []


async def test_the_chat_export_records_its_update_before_the_files_go_out(db, store, demo, tmp_path):
    """A kill during the upload then makes Telegram's redelivery a replay that is dropped."""
    admin = await load_actor(db, ADMIN)
    with updates.processing(91_001) as marker:
        period_id, result = await export.export_open_period(db, store, tmp_path / "exports", admin, now=utcnow())
        assert marker.recorded  # committed before the handler sends anything
    async with db.lean(write=False, snapshot=False) as sql:
        assert await updates.already_processed(sql, 91_001)
    assert period_id == demo.period_id and result.xlsx.exists() and result.archive.exists()


async def test_invisible_characters_are_stripped_from_a_stored_file_name(db, store, demo):
    focal = await load_actor(db, FOCAL)
    view = await assessment.open_current(db, focal, now=utcnow())
    await assessment.navigate(db, focal, view.ref.unit_id, view.ref.period_id, view.sub.code, "evidence", now=utcnow())
    name = "\u2066bao-cao\u202e\u200bnam\u200d-2026\u2069\ufeff\u200f.pdf"
    incoming = evidence.IncomingFile("document", "file-2", "unique-2", name, "application/pdf", len(PDF))
    await evidence.add_file(
        db, store, focal, await evidence.evidence_target(db, focal, incoming, now=utcnow()), incoming, PDF, now=utcnow()
    )
    async with db.session() as session:
        stored = (
            await session.execute(select(Evidence).where(Evidence.telegram_file_unique_id == "unique-2"))
        ).scalar_one()
    assert stored.file_name == "bao-caonam-2026.pdf"
    assert store.exists(stored.content_key)  # the content is kept under its hash, whatever the name


async def test_a_comment_of_only_invisible_characters_is_refused_in_vietnamese(db, demo):
    reviewer = await load_actor(db, REVIEWER)
    item = await review.next_in_queue(db, reviewer)
    await review.start_input(db, reviewer, item.answer_id, "needs_supplement")
    with pytest.raises(ServiceError) as refused:
        await review.typed_input(db, reviewer, INVISIBLE_ONLY, now=utcnow())
    assert refused.value.reason == "invisible_text"
    assert "ký tự ẩn" in service_error(refused.value)
    async with db.session() as session:
        assert (await session.get(Answer, item.answer_id)).status == "submitted"  # nothing decided
    await review.typed_input(db, reviewer, "Bổ sung bản scan 👨\u200d💼", now=utcnow())  # a real one passes
    async with db.session() as session:
        assert (await session.get(Answer, item.answer_id)).status == "needs_supplement"


async def test_a_broadcast_of_only_invisible_characters_is_refused_in_vietnamese(db, demo):
    coordinator = await load_actor(db, COORDINATOR)
    await broadcasts.begin(db, coordinator)
    with pytest.raises(ServiceError) as refused:
        await broadcasts.take_text(db, coordinator, INVISIBLE_ONLY)
    assert refused.value.reason == "invisible_text" and "ký tự ẩn" in service_error(refused.value)
    audiences = await broadcasts.take_text(db, coordinator, "\u200bNhắc các đơn vị nộp trước hạn")
    assert audiences.cohorts


def test_exactly_the_bidirectional_and_zero_width_characters_are_stripped():
    controls = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010)]]
    controls += ["\ufeff", "\u2060"]
    assert strip_invisible("".join(f"{c}a" for c in controls)) == "a" * len(controls)
    kept = "Quyết định số 12/QĐ-UBND — ngày 24/10 ✅ 👍🏽 e\u0301"  # letters, combining marks, emoji
    assert strip_invisible(kept) == kept and visible(" \u200b\t\u2060 ") == ""


def test_a_csv_cell_that_a_spreadsheet_would_run_gets_an_apostrophe_and_numbers_stay_numbers():
    assert csv_row(["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "Sở Nội vụ", 7, -2.5, None]) == [
        "'=1+1",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Sở Nội vụ",
        7,
        -2.5,
        None,
    ]


def test_a_framework_exported_as_a_workbook_keeps_texts_that_look_like_formulas_as_texts(tmp_path):
    import yaml

    from bot.services.admin.framework_workbook import framework_workbook

    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "frameworks" / "dongthap-1397-so.yaml").read_text())
    data["title"] = '=HYPERLINK("http://x","y")'
    data["indices"][0]["name"] = "+1 chỉ số"
    (tmp_path / "f.xlsx").write_bytes(framework_workbook(data))
    texts = {cell.value: cell for cell in scan_workbook(tmp_path / "f.xlsx") if isinstance(cell.value, str)}
    assert texts['=HYPERLINK("http://x","y")'].data_type == "s"
    assert texts["+1 chỉ số"].quotePrefix


def test_the_ranking_csv_keeps_a_unit_name_that_looks_like_a_formula_as_text():
    from bot.render.results.ranking import ranking_csv

    record = {
        "cohort": "so",
        "rank": 1,
        "unit_code": "@A",
        "unit_name": "=1+1",
        "points": "12.50",
        "max_points": "200",
        "value": "0.5",
    }
    row = next(csv.DictReader(io.StringIO(ranking_csv([record]))))
    assert row["unit_name"] == "'=1+1" and row["unit_code"] == "'@A" and row["points"] == "12.50"


def test_the_readable_export_keeps_formula_looking_words_as_text_and_figures_as_formatted_numbers(tmp_path):
    from openpyxl import Workbook

    from bot.services.admin.export_sheets import TIME_FORMAT, Column, Sheet

    book = Workbook(write_only=True)
    sheet = Sheet(book, "Thử", [Column("Chữ", 20), Column("Điểm", 10, "#,##0.00"), Column("Lúc", 17, TIME_FORMAT)])
    sheet.add(["=1+1", 1234.5, datetime(2026, 11, 29, 8, 30)])
    sheet.add(["@SUM(A1)", None, None])
    sheet.add([LINK, -2.25, None])
    sheet.close()
    book.save(tmp_path / "t.xlsx")
    cells = {c.coordinate: c for c in scan_workbook(tmp_path / "t.xlsx")}
    for coordinate, text in (("A2", "=1+1"), ("A3", "@SUM(A1)"), ("A4", LINK)):
        assert (cells[coordinate].value, cells[coordinate].data_type) == (text, "s") and cells[coordinate].quotePrefix
    assert (cells["B2"].value, cells["B2"].data_type, cells["B2"].number_format) == (1234.5, "n", "#,##0.00")
    assert (cells["B4"].value, cells["B4"].number_format) == (-2.25, "#,##0.00")
    assert cells["C2"].value == datetime(2026, 11, 29, 8, 30) and cells["C2"].number_format == "dd/mm/yyyy hh:mm"
