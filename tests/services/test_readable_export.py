"""The export reads like the bot's screens: Vietnamese words for stored codes, answers as words and
numbers, the campaign's local times, real numbers with a display format, a frozen and filtered header
row, files named for what they are. Scanned cell by cell."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.render.assessment.cards import describe_answer
from bot.render.numbers import vn_number
from bot.services.access import SYSTEM
from bot.services.admin.export import export_period
from bot.services.admin.export_sheets import export_names, number_format
from bot.services.results.scores import period_scores
from scoring import plain
from storage.models import (
    ANSWER_STATUSES,
    EVIDENCE_KINDS,
    ROLES,
    Answer,
    FrameworkVersion,
    Period,
    Unit,
)
from tests.services.helpers import demo_campaign

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ACTIONS = ("answer", "clear", "submit", "review", "evidence_add", "evidence_remove")
COHORT_CODES = ("so-nganh", "xa-phuong")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
FORMULA_START = ("=", "+", "-", "@")


@pytest.fixture
async def exported(db, store, tmp_path):
    demo = await demo_campaign(db, store, today=date(2026, 11, 22), now=NOW)
    result = await export_period(db, store, demo.period_id, tmp_path / "out", SYSTEM)
    return demo, result


def sheets(path: Path) -> dict:
    book = load_workbook(path)
    return {sheet.title: sheet for sheet in book.worksheets}


def records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows())
    heading = [c.value for c in rows[0]]
    return [dict(zip(heading, row, strict=True)) for row in rows[1:]]


async def test_no_cell_holds_a_stored_code_json_an_iso_time_or_a_formula(exported):
    _demo, result = exported
    with zipfile.ZipFile(result.xlsx) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in package.read(name) and b"<f " not in package.read(name)
    codes = {*ANSWER_STATUSES, *EVIDENCE_KINDS, *ROLES, *ACTIONS, *COHORT_CODES}
    seen = 0
    for sheet in sheets(result.xlsx).values():
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                seen += 1
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    where = f"{sheet.title}!{cell.coordinate}: {cell.value[:80]}"
                    assert cell.value not in codes, where
                    assert not re.search(r"\b(needs_supplement|focal_point|document_ref|evidence_add)\b", cell.value)
                    assert "{" not in cell.value and "}" not in cell.value, where
                    assert not ISO_TIME.search(cell.value), where
                    assert not cell.value.startswith(FORMULA_START) or cell.quotePrefix, where
    assert seen > 10_000


async def test_statuses_kinds_actions_and_cohorts_are_vietnamese_words(exported):
    _demo, result = exported
    book = sheets(result.xlsx)
    answers = records(book["Câu trả lời"])
    assert {r["Trạng thái"].value for r in answers} >= {"chưa nộp", "đã nộp", "đã chấp nhận", "đề nghị bổ sung"}
    assert {r["Khối"].value for r in answers} == {"khối sở, ban, ngành", "khối xã, phường"}
    evidence = records(book["Tài liệu kiểm chứng"])
    assert {r["Loại"].value for r in evidence} <= {"ảnh", "tệp", "đường dẫn", "trích dẫn văn bản"}
    assert len({r["Loại"].value for r in evidence}) >= 2
    audit = records(book["Nhật ký thay đổi"])
    assert {r["Thao tác"].value for r in audit} >= {"trả lời", "đã nộp", "thẩm định"}
    decided = next(r for r in audit if r["Thao tác"].value == "thẩm định")
    assert "trạng thái: đã nộp" in decided["Trước"].value
    assert re.search(r"trạng thái: (đã chấp nhận|đề nghị bổ sung)", decided["Sau"].value)
    with zipfile.ZipFile(result.archive) as archive:
        manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert manifest[0][0] == "Đường dẫn trong tệp nén"
    assert {row[3] for row in manifest[1:]} <= {"ảnh", "tệp"}


async def test_answers_read_as_on_the_items_screen(db, exported):
    """The answer column is what the item's screen shows (its own function), never the stored JSON."""
    demo, result = exported
    scores = await period_scores(db, demo.period_id)
    framework = scores.framework
    async with db.session() as session:
        stored = {
            (unit_code, code): raw
            for unit_code, code, raw in await session.execute(
                select(Unit.code, Answer.sub_index_code, Answer.raw)
                .join(Unit, Unit.id == Answer.unit_id)
                .where(Answer.period_id == demo.period_id)
            )
        }
    rows = records(sheets(result.xlsx)["Câu trả lời"])
    assert len(rows) == len(stored) == result.answers
    kinds = set()
    for row in rows:
        key = (row["Mã đơn vị"].value, row["Chỉ số thành phần"].value)
        sub = framework.sub_index(key[1])
        raw = stored[key]
        expected = unescape(describe_answer(sub, raw)) if raw is not None else None
        assert row["Trả lời"].value == expected, key
        assert row["Tên chỉ số thành phần"].value == sub.name
        kinds.add(sub.method.kind)
    assert {"yes_no", "options", "ratio"} <= kinds
    words = {r["Trả lời"].value for r in rows}
    assert {"Có", "Không"} & words
    assert any(re.fullmatch(r"[\d.]+/[\d.]+ \w+ \(\d+,\d %\)", w or "") for w in words)  # "87/170 người (51,2 %)"


async def test_the_ranking_has_the_same_figures_as_the_screens_as_numbers_with_a_display_format(db, exported):
    demo, result = exported
    scores = await period_scores(db, demo.period_id)  # what the ranking screens score
    rounding = scores.framework.rounding
    expected = {
        entry.code: (cohort.name, entry.rank, entry.result)
        for cohort in scores.cohorts.values()
        for entry in cohort.entries
    }
    rows = records(sheets(result.xlsx)["Xếp hạng"])
    assert len(rows) == len(expected)
    for row in rows:
        cohort, rank, unit = expected[row["Mã đơn vị"].value]
        assert (row["Khối"].value, row["Hạng"].value) == (cohort, rank)
        for heading, figure, places in (
            ("Điểm", unit.points, rounding.points),
            ("Giá trị DTI", unit.value, rounding.value),
            ("Tỷ lệ (%)", unit.percent, rounding.percent),
        ):
            cell = row[heading]
            assert cell.data_type == "n" and isinstance(cell.value, int | float), heading
            assert Decimal(str(cell.value)) == Decimal(plain(figure, places)), heading
            assert cell.number_format == number_format(places)
    first = rows[0]["Điểm"]
    # Excel shows '#,##0.00' with the reader's separators: the screen's "141,35" under a Vietnamese locale
    assert first.number_format == "#,##0.00"
    assert vn_number(Decimal(str(first.value)), 2) == vn_number(expected[rows[0]["Mã đơn vị"].value][2].points, 2)


async def test_times_are_date_time_cells_in_the_campaigns_timezone(db, store, tmp_path):
    demo = await demo_campaign(db, store, today=date(2026, 11, 22), now=NOW)
    async with db.session() as session, session.begin():
        answer = (
            await session.execute(select(Answer).where(Answer.period_id == demo.period_id).order_by(Answer.id).limit(1))
        ).scalar_one()
        answer.answered_at = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # 00:30 on the 29th in Hà Nội
        unit_code = (await session.get(Unit, answer.unit_id)).code
        code = answer.sub_index_code
    result = await export_period(db, store, demo.period_id, tmp_path / "out", SYSTEM)
    rows = records(sheets(result.xlsx)["Câu trả lời"])
    [row] = [r for r in rows if (r["Mã đơn vị"].value, r["Chỉ số thành phần"].value) == (unit_code, code)]
    cell = row["Thời điểm trả lời"]
    assert cell.value == datetime(2026, 11, 29, 0, 30) and cell.number_format == "dd/mm/yyyy hh:mm"
    for sheet in sheets(result.xlsx).values():
        for line in sheet.iter_rows(min_row=2):
            for c in line:
                if isinstance(c.value, datetime):
                    assert c.number_format in ("dd/mm/yyyy hh:mm", "dd/mm/yyyy"), (sheet.title, c.coordinate)


async def test_every_sheet_has_a_frozen_filtered_header_and_set_column_widths(exported):
    _demo, result = exported
    book = sheets(result.xlsx)
    assert list(book) == ["Xếp hạng", "Điểm theo chỉ số", "Câu trả lời", "Tài liệu kiểm chứng", "Nhật ký thay đổi"]
    for sheet in book.values():
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        letters = [sheet.cell(1, n).column_letter for n in range(1, sheet.max_column + 1)]
        assert all(sheet.column_dimensions[x].customWidth and sheet.column_dimensions[x].width >= 8 for x in letters)
    answers = book["Câu trả lời"]
    widths = {
        answers.cell(1, n).value: answers.column_dimensions[answers.cell(1, n).column_letter].width for n in (2, 6)
    }
    assert widths == {"Đơn vị": 36, "Trả lời": 40}


async def test_the_files_are_named_for_what_they_are(db, exported):
    demo, result = exported
    assert (result.xlsx.name, result.archive.name) == ("DTI-2026-ket-qua.xlsx", "DTI-2026-minh-chung.zip")
    assert sorted(p.name for p in result.xlsx.parent.iterdir()) == ["DTI-2026-ket-qua.xlsx", "DTI-2026-minh-chung.zip"]
    async with db.session() as session, session.begin():  # a second 2026 period, of the same framework
        period = await session.get(Period, demo.period_id)
        other = Period(
            framework_version_id=period.framework_version_id, year=2026, title="Lần 2", deadline=period.deadline
        )
        session.add(other)
        await session.flush()
        other_id = other.id
        framework_id = (await session.get(FrameworkVersion, period.framework_version_id)).framework_id
    names = await export_names(db, other_id)
    assert names.xlsx == f"DTI-2026-{framework_id}-ky-{other_id}-ket-qua.xlsx"
    assert names.archive == f"DTI-2026-{framework_id}-ky-{other_id}-minh-chung.zip"


async def test_the_audit_log_reads_as_words(exported):
    _demo, result = exported
    audit = records(sheets(result.xlsx)["Nhật ký thay đổi"])
    answered = next(r for r in audit if r["Thao tác"].value == "trả lời")
    assert answered["Sau"].value.startswith("trả lời: ")
    assert "điểm tự chấm: " in answered["Sau"].value


def test_history_entries_are_described_in_words():
    from bot.services.admin.export_sheets import Words
    from scoring.loader import load_framework

    framework = load_framework(Path(__file__).resolve().parents[2] / "frameworks" / "dongthap-1397-so.yaml")
    words = Words(framework)
    yes_no = next(s for s in framework.sub_indices if s.method.kind == "yes_no")
    before = {"raw": {"yes": True}, "self_points": "7.50", "verified_points": None, "status": "needs_supplement"}
    assert words.change(yes_no.code, before) == "trả lời: Có; điểm tự chấm: 7,5; trạng thái: đề nghị bổ sung"
    after = {**before, "verified_points": "6", "status": "accepted", "comment": "Đủ hồ sơ"}
    assert words.change(yes_no.code, after).endswith("điểm thẩm định: 6; trạng thái: đã chấp nhận; ý kiến: Đủ hồ sơ")
    assert words.change(yes_no.code, {"evidence": 12, "kind": "document", "content_key": "ab" * 32}) == "tệp số 12"
    link = {"evidence": 13, "kind": "link", "url": "https://dongthap.gov.vn"}
    assert words.change(yes_no.code, link) == "đường dẫn số 13: https://dongthap.gov.vn"
    assert words.answer(yes_no.code, {"nonsense": 1}) == "Không"  # a missing "yes" is a no, as on the screen
    assert words.answer("99.99", {"yes": True}) == "(không hiển thị được câu trả lời đã lưu)"
