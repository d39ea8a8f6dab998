"""Importing units (and the invitations sheet): idempotent upsert, every bad row reported, nothing
written when any is bad; headings and words in Vietnamese or English; filled-in example sheets."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from bot.render.admin.sheets import invites_template_xlsx, units_template_xlsx
from bot.render.errors import service_error
from bot.services.access import SYSTEM
from bot.services.admin import units_import
from bot.services.admin.invites import invites_from_table
from bot.services.admin.spreadsheets import fold
from bot.services.admin.units_import import template_facts
from bot.services.errors import InputFileErrors
from storage.models import Invite, Unit

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def import_units(db, data: bytes, file_name: str, dirs=None):
    return await units_import.import_units(db, SYSTEM, data, file_name, dirs, now=NOW)


CSV = (
    "code,name,cohort,parent,has_public_services,ranked\n"
    "SNV,Sở Nội vụ,so-nganh,,có,\n"
    "X-MYAN,Xã Mỹ An,xa-phuong,SNV,1,x\n"
    "BQLDA,Ban Quản lý dự án,so-nganh,,không,không\n"
)


async def units(db):
    async with db.session() as session:
        return {u.code: u for u in (await session.execute(select(Unit))).scalars()}


async def test_units_are_created_with_attributes_parents_and_ranking_flags(db):
    report = await import_units(db, CSV.encode(), "units.csv")
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    stored = await units(db)
    assert stored["SNV"].attributes == {"has_public_services": True}
    assert stored["X-MYAN"].parent_id == stored["SNV"].id
    assert stored["BQLDA"].ranked is False and stored["BQLDA"].attributes == {"has_public_services": False}


async def test_importing_the_same_file_twice_changes_nothing(db):
    await import_units(db, CSV.encode(), "units.csv")
    report = await import_units(db, CSV.encode(), "units.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


async def test_a_changed_row_updates_its_unit(db):
    await import_units(db, CSV.encode(), "units.csv")
    report = await import_units(db, CSV.replace("Sở Nội vụ", "Sở Nội vụ tỉnh").encode(), "units.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert (await units(db))["SNV"].name == "Sở Nội vụ tỉnh"


async def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(db):
    bad = CSV + "SNV,Trùng mã,so-nganh,,1,\n" + "a b,Mã có dấu cách,so-nganh,,1,\n" + "XA2,,xa-phuong,NOPE,1,\n"
    with pytest.raises(InputFileErrors) as info:
        await import_units(db, bad.encode(), "units.csv")
    reasons = [(e.line, e.reason) for e in info.value.errors]
    assert reasons == [(5, "duplicate_unit"), (6, "bad_unit_code"), (7, "missing_name"), (7, "unknown_parent")]
    async with db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Unit))).scalar_one() == 0


async def test_an_excel_sheet_is_read_like_a_csv(db):
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Name", "Cohort", "Parent", "has_public_services"])
    sheet.append(["SYT", "Sở Y tế", "so-nganh", None, True])
    sheet.append(["SGDDT", "Sở Giáo dục và Đào tạo", "so-nganh", None, 0])
    buffer = io.BytesIO()
    book.save(buffer)
    report = await import_units(db, buffer.getvalue(), "don-vi.xlsx")
    assert report.created == 2
    assert (await units(db))["SGDDT"].attributes == {"has_public_services": False}


async def test_a_file_of_another_kind_is_refused(db):
    with pytest.raises(InputFileErrors) as info:
        await import_units(db, b"%PDF-1.4", "units.pdf")
    assert info.value.errors[0].reason == "unsupported_table"


def xlsx(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def count(db, model) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


def test_headings_are_matched_without_case_or_diacritics():
    assert fold("Mã đơn vị") == fold("ma don vi") == fold("MÃ ĐƠN VỊ") == fold(" ma_don_vi ") == "ma don vi"
    assert fold("Đơn vị cấp trên") == "don vi cap tren"


@pytest.mark.parametrize(
    "headings",
    [
        ("Mã đơn vị", "Tên đơn vị", "Khối", "Đơn vị cấp trên", "Tham gia xếp hạng", "Có dịch vụ công"),
        ("ma don vi", "ten don vi", "khoi", "don vi cap tren", "xep hang", "co dich vu cong"),
        ("MÃ ĐƠN VỊ", "TÊN ĐƠN VỊ", "KHỐI", "ĐƠN VỊ CẤP TRÊN", "XẾP HẠNG", "CÓ DỊCH VỤ CÔNG"),
    ],
)
async def test_a_sheet_with_vietnamese_headings_and_cohort_names_is_imported(db, headings):
    data = xlsx(
        headings,
        ("SNV", "Sở Nội vụ", "khối sở, ban, ngành", None, "có", "có"),
        ("SNV-TTPV", "Trung tâm Phục vụ hành chính công", "Khoi so, ban, nganh", "SNV", "không", "có"),
        ("X-MYAN", "Xã Mỹ An", "xa-phuong", None, None, "không"),
    )
    report = await import_units(db, data, "don-vi.xlsx")
    assert report.created == 3
    stored = await units(db)
    assert [stored[c].cohort for c in ("SNV", "SNV-TTPV", "X-MYAN")] == ["so-nganh", "so-nganh", "xa-phuong"]
    assert stored["SNV-TTPV"].parent_id == stored["SNV"].id and stored["SNV-TTPV"].ranked is False
    assert stored["X-MYAN"].ranked is True
    assert stored["SNV"].attributes == {"has_public_services": True}  # the attribute the frameworks read
    assert stored["X-MYAN"].attributes == {"has_public_services": False}


async def test_an_unknown_cohort_is_refused_with_its_line_and_nothing_is_written(db):
    data = xlsx(
        ("Mã đơn vị", "Tên đơn vị", "Khối", "Đơn vị cấp trên"),
        ("SNV", "Sở Nội vụ", "khối sở, ban, ngành", None),
        ("SYT", "Sở Y tế", "khối bệnh viện", None),
        ("X-MYAN", "Xã Mỹ An", "xa-phuong", "HUYEN-X"),
    )
    with pytest.raises(InputFileErrors) as info:
        await import_units(db, data, "don-vi.xlsx")
    assert [(e.line, e.reason) for e in info.value.errors] == [(3, "unknown_cohort"), (4, "unknown_parent")]
    message = service_error(info.value)
    assert "Dòng 3" in message and "khối bệnh viện" in message and "khối sở, ban, ngành (so-nganh)" in message
    assert await count(db, Unit) == 0


async def test_the_cohorts_are_those_of_the_framework_folders_and_the_stored_frameworks(db, tmp_path):
    text = (ROOT / "frameworks" / "dongthap-1397-so.yaml").read_text(encoding="utf-8")
    text = text.replace("id: dongthap-1397-so", "id: thu-nghiem").replace(
        '{code: so-nganh, name: "khối sở, ban, ngành"}', '{code: dac-biet, name: "khối đặc biệt"}'
    )
    (tmp_path / "thu-nghiem.yaml").write_text(text, encoding="utf-8")
    sheet = "code,name,cohort\nSNV,Sở Nội vụ,Khối đặc biệt\n".encode()
    with pytest.raises(InputFileErrors):  # not a cohort of the shipped frameworks
        await import_units(db, sheet, "u.csv")
    assert (await import_units(db, sheet, "u.csv", dirs=[tmp_path])).created == 1
    assert (await units(db))["SNV"].cohort == "dac-biet"
    with pytest.raises(InputFileErrors) as info:  # that folder replaces the shipped ones
        await import_units(db, "code,name,cohort\nSYT,Sở Y tế,so-nganh\n".encode(), "u.csv", dirs=[tmp_path])
    assert info.value.errors[0].reason == "unknown_cohort"


async def test_a_column_given_twice_is_refused(db):
    with pytest.raises(InputFileErrors) as info:
        await import_units(db, "code,Mã đơn vị,name\nSNV,SNV,Sở Nội vụ\n".encode(), "u.csv")
    assert info.value.errors[0].reason == "duplicate_column"
    assert "Cột “Mã đơn vị” xuất hiện hai lần" in service_error(info.value)


async def test_the_example_units_sheet_has_vietnamese_headings_and_imports_as_it_is(db):
    data = units_template_xlsx(await template_facts(db, SYSTEM))
    book = load_workbook(io.BytesIO(data))
    headings = [c.value for c in book.worksheets[0][1]]
    assert headings[:4] == ["Mã đơn vị", "Tên đơn vị", "Khối", "Đơn vị cấp trên"]
    assert "khối sở, ban, ngành" in {c.value for row in book.worksheets[0].iter_rows() for c in row}
    assert book.sheetnames[1] == "Hướng dẫn"
    report = await import_units(db, data, "don-vi-mau.xlsx")
    assert report.created == 4
    stored = await units(db)
    assert stored["SNV-TTPV"].parent_id == stored["SNV"].id and not stored["SNV-TTPV"].ranked


async def test_the_invitations_sheet_takes_vietnamese_headings_and_role_names(db):
    await import_units(db, CSV.encode(), "units.csv")
    data = xlsx(
        ("Mã đơn vị", "VAI TRÒ", "Số lời mời"),
        ("SNV", "Đầu mối", 2),
        ("SNV", "lanh dao", None),
        (None, "thẩm định viên", 1),
        (None, "Điều phối viên", 1),
        (None, "quản trị", 1),
        (None, "focal_point", 1),
    )
    with pytest.raises(InputFileErrors) as info:  # the last row: a unit's role without a unit
        await invites_from_table(db, SYSTEM, data, "loi-moi.xlsx", now=NOW)
    assert [(e.line, e.reason) for e in info.value.errors] == [(7, "role_needs_unit")]
    assert "Vai trò đầu mối thuộc về một đơn vị" in service_error(info.value)
    issued = await invites_from_table(db, SYSTEM, xlsx(*[r for r in xlsx_rows(data)][:-1]), "l.xlsx", now=NOW)
    assert [i.role for i in issued] == ["focal_point", "focal_point", "leader", "reviewer", "coordinator", "admin"]


async def test_an_unknown_role_is_refused_with_its_line_and_the_roles_in_words_and_nothing_is_written(db):
    await import_units(db, CSV.encode(), "units.csv")
    data = xlsx(("Mã đơn vị", "Vai trò", "Số lời mời"), ("SNV", "đầu mối", 1), ("SNV", "trưởng phòng", 1))
    with pytest.raises(InputFileErrors) as info:
        await invites_from_table(db, SYSTEM, data, "loi-moi.xlsx", now=NOW)
    message = service_error(info.value)
    assert "Dòng 3" in message and "trưởng phòng" in message and "đầu mối, lãnh đạo, thẩm định viên" in message
    assert await count(db, Invite) == 0


async def test_the_example_invitations_sheet_imports_as_it_is(db):
    await import_units(db, CSV.encode(), "units.csv")
    data = invites_template_xlsx(await template_facts(db, SYSTEM, invitations=True))
    assert [c.value for c in load_workbook(io.BytesIO(data)).worksheets[0][1]] == ["Mã đơn vị", "Vai trò", "Số lời mời"]
    issued = await invites_from_table(db, SYSTEM, data, "loi-moi-mau.xlsx", now=NOW)
    assert sorted({i.role for i in issued}) == ["coordinator", "focal_point", "leader", "reviewer"]
    assert {i.unit_code for i in issued if i.role == "focal_point"} == {"SNV"}  # a unit that exists


def xlsx_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
