"""Spreadsheets for people (in memory): the progress table a coordinator downloads."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.i18n import _
from bot.services.progress import ProgressReport


def progress_xlsx(report: ProgressReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Progress")[:31]
    sheet.append(
        [
            _("Code"),
            _("Unit"),
            _("Cohort"),
            _("Answered"),
            _("Items"),
            _("Completion (%)"),
            _("Evidence missing"),
            _("Submitted"),
            _("Focal points"),
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for u in report.units:
        sheet.append(
            [
                u.code,
                u.name,
                u.cohort,
                u.answered,
                u.total,
                round(u.share * 100, 1),
                u.missing_evidence,
                u.submitted,
                ", ".join(c.full_name for c in u.focal_points),
            ]
        )
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (12, 40, 14, 10, 8, 14, 14, 10, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
