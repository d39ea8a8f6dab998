"""A document cited in one message is recognised by its form: number (with a slash and letters),
date and summary, in any order (bot.services.assessment.evidence.parse_citation)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.assessment.evidence import Citation, looks_like_link, parse_citation

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "45/KH-SNV, 15/02/2026, Kế hoạch chuyển đổi số năm 2026",
            ("45/KH-SNV", date(2026, 2, 15), "Kế hoạch chuyển đổi số năm 2026"),
        ),
        (
            "Quyết định số 12/QĐ-UBND ngày 15/02/2026 về việc kiện toàn Ban chỉ đạo",
            ("12/QĐ-UBND", date(2026, 2, 15), "Quyết định về việc kiện toàn Ban chỉ đạo"),
        ),
        (
            "Nghị định 13/2023/NĐ-CP ngày 17 tháng 4 năm 2023 bảo vệ dữ liệu cá nhân",
            ("13/2023/NĐ-CP", date(2023, 4, 17), "Nghị định bảo vệ dữ liệu cá nhân"),
        ),
        ("Kế hoạch số hóa, 45/KH-SNV; 15.02.2026", ("45/KH-SNV", date(2026, 2, 15), "Kế hoạch số hóa")),
        ("45/50", None),  # a ratio, not a document
        ("1.234/1.500", None),
        ("15/02/2026", None),  # a date alone (the date step of the three questions)
        ("45/KH-SNV", None),  # a number alone (the number step)
        ("45/KH-SNV, 15/02/2027, Kế hoạch năm sau", None),  # not issued yet
        ("45/KH-SNV, 31/02/2026, Kế hoạch", None),  # no such day
        ("45/KH-SNV 15/02/2026 ab", None),  # the summary is too short
    ],
)
def test_a_citation_typed_in_one_message_is_read_by_its_form(text, expected):
    found = parse_citation(text, TODAY)
    assert found == (Citation(*expected) if expected else None)


@pytest.mark.parametrize(
    ("text", "link"),
    [("https://snv.dongthap.gov.vn/a", True), ("www.dongthap.gov.vn", True), ("10", False), ("12,5", False)],
)
def test_a_link_is_recognised_whatever_step_the_card_is_on(text, link):
    assert looks_like_link(text) is link
