"""Importing units: idempotent upsert, every bad row reported, nothing written when any is bad."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.services.admin.units_import import import_units
from bot.services.errors import InputFileErrors
from storage.models import Unit

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
