"""An administrator, in the chat: the export arrives as files named for what they are, with captions, in
words a person reads; the example units sheet arrives from a button and imports as it is."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

from openpyxl import load_workbook

from storage.models import ANSWER_STATUSES, EVIDENCE_KINDS

ADMIN = 700008
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def documents(emulator, admin, count: int) -> list[dict]:
    for _ in range(600):
        found = [m for m in emulator.state.chats[ADMIN].messages.values() if m.get("document")]
        if len(found) >= count:
            return found
        await admin.quiet(0.1)
    raise AssertionError(f"expected {count} documents")


async def test_the_chat_export_is_named_captioned_and_reads_as_words(demo_bot, person, emulator):
    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    await admin.press("Xuất dữ liệu")
    await admin.expect("📦")  # the closing count comes after both files
    sent = {m["document"]["file_name"]: m for m in await documents(emulator, admin, 2)}
    year = date.today().year
    assert sorted(sent) == [f"DTI-{year}-ket-qua.xlsx", f"DTI-{year}-minh-chung.zip"]
    assert sent[f"DTI-{year}-ket-qua.xlsx"]["caption"].startswith("📊 Bảng kết quả")
    assert "Tài liệu kiểm chứng" in sent[f"DTI-{year}-minh-chung.zip"]["caption"]
    workbook = emulator.state.files[sent[f"DTI-{year}-ket-qua.xlsx"]["document"]["file_id"]].data
    with zipfile.ZipFile(io.BytesIO(workbook)) as package:
        assert not [n for n in package.namelist() if n.startswith("xl/worksheets/") and b"<f>" in package.read(n)]
    book = load_workbook(io.BytesIO(workbook))
    codes = {*ANSWER_STATUSES, *EVIDENCE_KINDS}
    texts = [
        c.value for s in book.worksheets for row in s.iter_rows(min_row=2) for c in row if isinstance(c.value, str)
    ]
    assert texts and not [t for t in texts if t in codes or "{" in t or re.search(r"\d{4}-\d{2}-\d{2}T", t)]
    assert {"chưa nộp", "đã nộp"} <= set(texts)


async def test_the_example_units_sheet_comes_from_a_button_and_imports_as_it_is(demo_bot, person, emulator):
    admin = person(ADMIN, "Đặng Quốc Bảo")
    await admin.send("/menu")
    await admin.expect("Menu chính")
    await admin.press("Nhập đơn vị")
    await admin.expect("Gửi bảng danh sách đơn vị")
    await admin.press("Bảng mẫu")
    [example] = await documents(emulator, admin, 1)
    assert example["document"]["file_name"] == "don-vi-mau.xlsx" and "Bảng đơn vị mẫu" in example["caption"]
    data = emulator.state.files[example["document"]["file_id"]].data
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Mã đơn vị", "Tên đơn vị", "Khối"]
    # The demo province has SNV and SYT already: they stay as they were or are updated; nothing is refused.
    await admin.upload(data, "don-vi-mau.xlsx", mime=XLSX)
    reply = await admin.expect("Đơn vị: ")
    assert re.search(r"\d+ tạo mới", reply["text"])
