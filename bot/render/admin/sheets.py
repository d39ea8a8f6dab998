"""Spreadsheets for people (in memory): the progress table a coordinator downloads and the invitation
links for mail merge. What people typed goes in as text, never as a formula (bot.services.safe_text)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.i18n import _
from bot.render.labels import role_label
from bot.render.numbers import vn_date
from bot.services.admin.invites import IssuedInvite, invite_link
from bot.services.campaign.progress import ProgressReport
from bot.services.safe_text import csv_row, sheet_row


def invites_csv(issued: list[IssuedInvite], bot_username: str) -> bytes:
    """Invitation links for mail merge, UTF-8 with a BOM so that Excel shows Vietnamese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["unit_code", "unit_name", "role", "link", "expires"])
    for invite in issued:
        writer.writerow(
            csv_row(
                [
                    invite.unit_code,
                    invite.unit_name,
                    role_label(invite.role),
                    invite_link(bot_username, invite.code),
                    vn_date(invite.expires_at),
                ]
            )
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def progress_xlsx(report: ProgressReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Progress")[:31]
    sheet.append(
        sheet_row(
            sheet,
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
            ],
        )
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for u in report.units:
        sheet.append(
            sheet_row(
                sheet,
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
                ],
            )
        )
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHI", (12, 40, 14, 10, 8, 14, 14, 10, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
