"""Frameworks as Excel workbooks, through the real `dti-bot framework` commands: every shipped
framework goes out as a workbook, checks clean, publishes, and scores exactly as its YAML; a wrong
cell is named by sheet, row and column in Vietnamese."""

import asyncio
import io
import os
import random
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.services.admin.framework_workbook import read_framework_workbook
from bot.services.admin.frameworks import framework_of
from scoring import AnswerInput, UnitInput, available_frameworks, load_framework, score_all
from storage.db import Database
from storage.models import FrameworkVersion

ROOT = Path(__file__).resolve().parents[2]
VALUES = (Decimal("0.5"), Decimal("0.8253"), Decimal(1))  # published index values (frameworks without items)


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**env, "DTI_DATA_DIR": str(data)},
        cwd=ROOT,
        timeout=120,
    )


def sample_answers(framework, rng: random.Random) -> dict[str, AnswerInput]:
    """One plausible answer per sub-index (every method), drawn from the framework itself."""
    answers = {}
    for sub in framework.sub_indices:
        kind = sub.method.kind
        if kind == "yes_no":
            raw = {"yes": rng.random() < 0.6}
        elif kind == "options":
            raw = {"option": rng.choice(sub.method.options).code}
        elif kind == "criteria":
            raw = {"criteria": [c.code for c in sub.criteria if rng.random() < 0.5]}
        elif kind == "ratio":
            b = rng.randint(1, 90)
            raw = {"a": rng.randint(0, b), "b": b}
        elif kind == "count_tiers":
            raw = {"count": rng.randint(0, 60)}
        elif kind == "minmax":
            raw = {"value": rng.randint(0, 90)}
        else:
            raw = {"value": f"0.{rng.randint(0, 99):02d}"} if sub.method.input == "value" else {"points": "0"}
        answers[sub.code] = AnswerInput(sub.method.parse(raw, sub.max_points))
    return answers


def ranking(framework, units):
    return {
        code: [(e.code, e.rank, e.result.points, e.result.value) for e in cohort.entries]
        for code, cohort in score_all(framework, units).items()
    }


def stored_version(data: Path, framework_id: str) -> FrameworkVersion:
    async def read():
        db = Database(f"sqlite+aiosqlite:///{data / 'dti.db'}")
        try:
            async with db.session() as session:
                from sqlalchemy import select

                rows = await session.execute(
                    select(FrameworkVersion).where(FrameworkVersion.framework_id == framework_id)
                )
                return rows.scalars().one()
        finally:
            await db.dispose()

    return asyncio.run(read())


@pytest.mark.parametrize("framework_id", available_frameworks())
def test_every_shipped_framework_goes_out_as_a_workbook_checks_publishes_and_scores_as_its_yaml(tmp_path, framework_id):
    data, book = tmp_path / "data", tmp_path / f"{framework_id}.xlsx"
    assert cli(data, "db", "upgrade", "--create").returncode == 0
    exported = cli(data, "framework", "export", framework_id, "--out", str(book))
    assert exported.returncode == 0, exported.stderr
    checked = cli(data, "framework", "check", str(book))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"Hợp lệ: {framework_id} — ")
    published = cli(data, "framework", "publish", str(book))
    assert published.returncode == 0, published.stderr
    assert cli(data, "framework", "publish", str(book)).stdout.startswith("Đã công bố trước đó")

    original = load_framework(ROOT / "frameworks" / f"{framework_id}.yaml")
    from_db = framework_of(stored_version(data, framework_id))
    assert replace(from_db, source="") == replace(original, source="")
    rng = random.Random(framework_id)
    cohorts = [c.code for c in original.ranking.cohorts] or [""]
    units = [
        UnitInput(
            code=f"U{n:02d}",
            cohort=cohorts[n % len(cohorts)],
            attributes={"has_public_services": n % 3 != 0},
            answers=sample_answers(original, rng),
            index_values={} if original.sub_indices else {i.code: rng.choice(VALUES) for i in original.indices},
        )
        for n in range(12)
    ]
    assert ranking(from_db, units) == ranking(original, units)


def test_the_template_has_vietnamese_headings_and_drop_downs_and_is_refused_until_filled_in(tmp_path):
    book = tmp_path / "mau.xlsx"
    assert cli(tmp_path, "framework", "template", "--out", str(book)).returncode == 0
    wb = load_workbook(book)
    assert wb.sheetnames[:4] == ["Hướng dẫn", "Thông tin chung", "Trụ cột", "Chỉ số"]
    subs = wb["Chỉ số thành phần"]
    headings = [c.value for c in subs[1]]
    assert headings[:8] == [
        "Mã chỉ số",
        "Mã chỉ số thành phần",
        "Tên chỉ số thành phần",
        "Câu hỏi",
        "Gợi ý",
        "Đơn vị tính",
        "Điểm tối đa",
        "Phương pháp chấm điểm",
    ]
    method = next(dv for dv in subs.data_validations.dataValidation if "H2" in str(dv.sqref))
    assert method.type == "list" and method.formula1.startswith("'Danh mục'!$A$2:$A$8")
    assert [wb["Danh mục"].cell(row=r, column=1).value for r in range(2, 9)] == [
        "Có/Không",
        "Chọn một mức",
        "Cộng điểm tiêu chí đạt",
        "Tỷ lệ giữa hai số",
        "Bậc theo số lượng",
        "Min-max trong khối",
        "Nhập từ nguồn bên ngoài",
    ]
    checked = cli(tmp_path, "framework", "check", str(book))
    assert checked.returncode == 2
    assert "Trang “Thông tin chung”, dòng 2, cột B (“Mã bộ chỉ số”): ô này không được để trống." in checked.stderr


def edited(tmp_path: Path, framework_id: str, edit) -> Path:
    book = tmp_path / "sua.xlsx"
    assert cli(tmp_path, "framework", "export", framework_id, "--out", str(book)).returncode == 0
    wb = load_workbook(book)
    edit(wb)
    wb.save(book)
    return book


def row_of(ws, column: int, value: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=column).value == value)


def test_a_wrong_cell_is_named_by_sheet_row_and_column_and_exits_2(tmp_path):
    def edit(wb):
        ws = wb["Chỉ số thành phần"]
        ws.cell(row=row_of(ws, 2, "1.2"), column=7, value="sáu")
        ws.cell(row=row_of(ws, 2, "2.1"), column=8, value="Bốc thăm")

    checked = cli(tmp_path, "framework", "check", str(edited(tmp_path, "dongthap-1397-so", edit)))
    assert checked.returncode == 2
    assert "Trang “Chỉ số thành phần”, dòng 3, cột G (“Điểm tối đa”): “sáu” không phải là số." in checked.stderr
    assert (
        "Trang “Chỉ số thành phần”, dòng 5, cột H (“Phương pháp chấm điểm”): “Bốc thăm” không có trong danh sách"
        in (checked.stderr)
    )


def test_points_that_no_longer_add_up_are_placed_on_the_index_row(tmp_path):
    def edit(wb):
        ws = wb["Chỉ số thành phần"]
        ws.cell(row=row_of(ws, 2, "1.2"), column=7, value=5)

    checked = cli(tmp_path, "framework", "publish", str(edited(tmp_path, "dongthap-1397-so", edit)))
    assert checked.returncode == 2
    assert (
        "Trang “Chỉ số”, dòng 2, cột D (“Điểm tối đa”): tổng điểm các chỉ số thành phần là 19, không bằng 20."
        in checked.stderr
    )
    assert not (tmp_path / "dti.db").exists()  # nothing was published (not even a database made)


def test_an_option_that_cannot_earn_full_points_is_placed_on_the_options_sheet():
    import bot.services.admin.framework_workbook as fwb
    from scoring.loader import find_framework, resolve_framework_data

    path = find_framework("dongthap-1397-so")
    wb = load_workbook(io.BytesIO(fwb.framework_workbook(resolve_framework_data(path.read_text(), str(path)))))
    ws = wb["Lựa chọn"]
    ws.cell(row=row_of(ws, 2, "head"), column=4, value=0.9)
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(fwb.WorkbookErrors) as info:
        read_framework_workbook(buffer.getvalue())
    [problem] = info.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Lựa chọn", 2, "D")
    from bot.render.admin.framework_screens import workbook_problem

    assert workbook_problem(problem) == (
        "Trang “Lựa chọn”, dòng 2, cột D (“Tỷ lệ so với điểm tối đa”): phải có một lựa chọn đạt điểm tối đa."
    )
