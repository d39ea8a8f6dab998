"""The Word reports: a unit's self-assessment report and the campaign report, read back with python-docx."""

import io
import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from docx import Document
from sqlalchemy import select

from bot.render.admin.report_docx import campaign_report_docx, dated_line, unit_report_docx
from bot.services.access import SYSTEM
from bot.services.admin.reports import campaign_report, unit_report
from bot.services.results.scores import period_scores
from storage.models import Answer, Evidence
from tests.services.helpers import department_period
from tests.services.test_answers import write

ISSUED = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def texts(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """Every paragraph (also inside tables) and every table's cells, as python-docx reads them."""
    doc = Document(io.BytesIO(content))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]
    paragraphs = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += [p.text for p in cell.paragraphs]
    return paragraphs, tables


async def answered_period(db):
    """Three departments; U000 answers four items (one reviewed down, one with a cited document)."""
    period = await department_period(db, units=3)
    await write(db, period.id, "U000", "1.1", {"option": "deputy"})  # 4 of 8
    await write(db, period.id, "U000", "1.2", {"yes": True})  # 6, no evidence: to be explained
    await write(db, period.id, "U000", "2.1", {"yes": True})  # 6, reviewed down to 2,5
    await write(db, period.id, "U000", "2.3", {"a": "801,5", "b": "1000"})  # 4,809 of 6
    await write(db, period.id, "U001", "1.2", {"yes": True})
    async with db.session() as session, session.begin():
        answers = {a.sub_index_code: a for a in (await session.execute(select(Answer))).scalars() if a.unit_id}
        reviewed = next(a for a in answers.values() if a.sub_index_code == "2.1")
        reviewed.verified_points = D("2.5")
        cited = next(a for a in answers.values() if a.sub_index_code == "1.1")
        session.add(
            Evidence(
                answer_id=cited.id,
                kind="document_ref",
                doc_number="12/QĐ-SNV",
                doc_date=date(2026, 3, 5),
                doc_summary="Kiện toàn Ban chỉ đạo chuyển đổi số",
            )
        )
    return period


async def test_the_unit_report_names_the_unit_carries_the_motto_and_the_same_totals_as_the_ranking(db):
    period = await answered_period(db)
    report = await unit_report(db, SYSTEM, period.id, "U000", now=ISSUED)
    entry = (await period_scores(db, period.id)).cohorts["so-nganh"].entry("U000")
    assert report.result.points == entry.result.points == D("4") + D("6") + D("2.5") + D("4.809")
    assert report.self_result.points == D("4") + D("6") + D("6") + D("4.809")

    paragraphs, tables = texts(unit_report_docx(report, place="Đồng Tháp"))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in paragraphs
    assert "Độc lập - Tự do - Hạnh phúc" in paragraphs
    assert "ĐƠN VỊ 0" in paragraphs  # the unit's name at the head, in capitals
    assert "Đồng Tháp, ngày 24 tháng 11 năm 2026" in paragraphs
    assert "BÁO CÁO" in paragraphs
    assert "Kết quả tự đánh giá chỉ số chuyển đổi số năm 2026" in paragraphs
    per_index = next(t for t in tables if t[0][:2] == ["STT", "Chỉ số"])
    assert per_index[1] == ["1", "1. Nhận thức số", "20", "10,00", "10,00"]
    assert per_index[2] == ["2", "2. Thể chế số", "20", "10,81", "7,31"]
    assert per_index[-1][1:] == ["Tổng", "200", "20,81", "17,31"]
    details = next(t for t in tables if t[0][:2] == ["Mã", "Chỉ số thành phần"] and len(t[0]) == 6)
    rows = {row[0]: row for row in details}
    assert rows["1.1"][2:] == [
        "Phó Thủ trưởng làm Trưởng ban",
        "4/8",
        "—",
        "Văn bản số 12/QĐ-SNV ngày 05/03/2026: Kiện toàn Ban chỉ đạo chuyển đổi số",
    ]
    assert rows["2.1"][3:5] == ["6/6", "2,5"]
    assert rows["2.3"][2] == "801,5/1.000 triệu đồng (80,2 %)"
    missing = next(t for t in tables if t[0][-1] == "Giải trình của đơn vị")
    # items whose answer needs evidence (scoring.evidence); 2.3's evidence is optional in the framework
    assert [row[0] for row in missing[1:]] == ["1.2", "2.1"]
    assert "THỦ TRƯỞNG ĐƠN VỊ" in paragraphs


async def test_the_campaign_report_ranks_each_cohort_with_its_average_top_bottom_and_counts(db):
    period = await answered_period(db)
    report = await campaign_report(db, SYSTEM, period.id, now=ISSUED)
    [cohort] = report.cohorts
    assert (cohort.full, cohort.partial, cohort.zero) == (2, 3, 0)
    paragraphs, tables = texts(campaign_report_docx(report, "Sở Khoa học và Công nghệ", "Đồng Tháp"))
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in paragraphs
    assert "Kết quả đánh giá chỉ số chuyển đổi số năm 2026" in paragraphs
    ranking = next(t for t in tables if t[0][0] == "Hạng")
    assert [row[:3] for row in ranking[1:]] == [
        ["1", "Đơn vị 0", "17,31"],
        ["2", "Đơn vị 1", "6,00"],
        ["3", "Đơn vị 2", "0,00"],
    ]
    summary = next(p for p in paragraphs if p.startswith("3 đơn vị được xếp hạng"))
    assert "điểm trung bình 7,77" in summary and "cao nhất Đơn vị 0 (17,31 điểm)" in summary
    assert "chênh lệch 17,31 điểm" in summary


def test_the_date_line_writes_days_below_ten_and_the_first_two_months_with_a_zero():
    assert dated_line("Đồng Tháp", date(2026, 2, 5)) == "Đồng Tháp, ngày 05 tháng 02 năm 2026"
    assert dated_line("Đồng Tháp", date(2026, 11, 24)) == "Đồng Tháp, ngày 24 tháng 11 năm 2026"


@pytest.mark.slow  # runs LibreOffice and poppler as processes
async def test_libreoffice_opens_the_unit_report_and_renders_its_pages(db, tmp_path):
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        if os.environ.get("DTI_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("DTI_REQUIRE_LIBREOFFICE=1 but soffice or pdftoppm is missing")
        pytest.skip("needs LibreOffice and poppler-utils (CI installs them)")
    period = await answered_period(db)
    (tmp_path / "report.docx").write_bytes(
        unit_report_docx(await unit_report(db, SYSTEM, period.id, "U000", now=ISSUED))
    )
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tmp_path / "report.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "17,31" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "report.pdf"), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 0
