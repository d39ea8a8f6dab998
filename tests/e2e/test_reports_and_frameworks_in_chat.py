"""The Word report for a unit's leader, and a framework workbook sent by an admin, through the emulator."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from bot.services.admin.framework_workbook import framework_workbook
from scoring.loader import find_framework, resolve_framework_data
from storage.models import FrameworkVersion

LEADER, ADMIN, FOCAL = 700004, 700008, 700001
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def documents(emulator, chat: int) -> list[dict]:
    return [m["document"] for m in emulator.state.chats[chat].messages.values() if m.get("document")]


async def test_a_leader_presses_report_and_receives_the_units_word_report(demo_bot, person, emulator):
    leader = person(LEADER, "Lê Minh Tuấn")
    await leader.send("/menu")
    await leader.expect("Menu chính")
    await leader.press("📄 Báo cáo")
    await leader.quiet(3)
    [sent] = [d for d in documents(emulator, LEADER) if d["file_name"].endswith(".docx")]
    assert sent["file_name"] == f"bao-cao-tu-danh-gia-SNV-{date.today().year}.docx"
    doc = Document(io.BytesIO(emulator.state.files[sent["file_id"]].data))
    lines = [p.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    assert "SỞ NỘI VỤ" in lines and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines and "Lê Minh Tuấn" in lines


async def test_a_focal_point_without_the_admin_role_is_not_offered_the_framework_upload(demo_bot, person):
    focal = person(FOCAL)
    await focal.send("/menu")
    menu = await focal.expect("Menu chính")
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert "📄 Báo cáo" in labels and "📚 Công bố bộ chỉ số" not in labels


async def test_an_admin_sends_a_framework_workbook_sees_its_problems_then_its_summary_and_publishes(
    demo_bot, person, emulator
):
    path = find_framework("dongthap-1397-huyen")
    good = framework_workbook(resolve_framework_data(path.read_text(encoding="utf-8"), str(path)))
    wb = load_workbook(io.BytesIO(good))
    wb["Chỉ số thành phần"]["G2"] = "mười"
    buffer = io.BytesIO()
    wb.save(buffer)

    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    await admin.press("Công bố bộ chỉ số")
    await admin.expect("Gửi tệp Excel bộ chỉ số")
    await admin.upload(buffer.getvalue(), "bo-chi-so.xlsx", mime=XLSX)
    refused = await admin.expect("Tệp bộ chỉ số có 1 lỗi", timeout=30)
    assert "Trang “Chỉ số thành phần”, dòng 2, cột G (“Điểm tối đa”): “mười” không phải là số." in refused["text"]

    await admin.upload(good, "bo-chi-so.xlsx", mime=XLSX)  # the corrected file, without pressing again
    summary = await admin.expect("Đã kiểm tra bộ chỉ số", timeout=30)
    assert "8 chỉ số, 35 chỉ số thành phần, tổng 400 điểm" in summary["text"]
    assert "• 1. Nhận thức số: 60 điểm, 5 chỉ số thành phần" in summary["text"]
    async with demo_bot.session() as session:
        stored = select(FrameworkVersion).where(FrameworkVersion.framework_id == "dongthap-1397-huyen")
        assert (await session.execute(stored)).first() is None  # nothing before the confirmation
    await admin.press("✅ Công bố")
    await admin.expect("✅ Đã công bố dongthap-1397-huyen")
    async with demo_bot.session() as session:
        assert len((await session.execute(stored)).all()) == 1
