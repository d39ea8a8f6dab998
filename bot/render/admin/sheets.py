"""Spreadsheets for people (in memory): the progress table a coordinator downloads, the invitation
links for mail merge, and the filled-in examples of the units and invitations sheets.
What people typed goes in as text, never as a formula (bot.services.safe_text)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.i18n import _
from bot.render.labels import role_label
from bot.render.numbers import vn_date, vn_number
from bot.services.admin.export import ExportResult
from bot.services.admin.invites import IssuedInvite, invite_link, invite_template_headings
from bot.services.admin.units_import import TemplateFacts, template_headings
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
                    u.cohort_name or u.cohort,
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


def units_template_xlsx(facts: TemplateFacts) -> bytes:
    """A filled-in example of the units sheet, with Vietnamese headings, that imports as it is; a
    second sheet explains the columns and lists the cohorts the frameworks know."""
    cohorts = [name for _code, name in facts.cohorts] or [""]
    first, second = cohorts[0], cohorts[1] if len(cohorts) > 1 else cohorts[0]
    yes, no = _("yes"), _("no")
    rows = [
        ["SNV", "Sở Nội vụ", first, "", yes, yes],
        ["SYT", "Sở Y tế", first, "", yes, yes],
        ["SNV-TTPV", "Trung tâm Phục vụ hành chính công", first, "SNV", no, yes],
        ["X-MYAN", "Xã Mỹ An", second, "", yes, no],
    ]
    guide = [
        [_("Unit code"), _("Letters, digits, dot, dash or underscore; at most 64 characters. Required.")],
        [_("Unit name"), _("The unit's full name. Required.")],
        [_("Cohort"), _("The cohort's name or code, as listed below; empty: not ranked in any cohort.")],
        [_("Parent unit"), _("The code of the unit above it (in this sheet or already imported); may be empty.")],
        [_("Ranked"), _("yes or no (default yes): whether the unit is ranked in its cohort.")],
        [_("Has public services"), _("yes or no: items that apply only to units with public services.")],
        [],
        [_("Cohort"), _("Code")],
        *[[name, code] for code, name in facts.cohorts],
    ]
    return _template(_("Units"), template_headings(), rows, [14, 40, 26, 16, 10, 18], guide)


def invites_template_xlsx(facts: TemplateFacts) -> bytes:
    """A filled-in example of the invitations sheet: a unit's roles need its code, the campaign-wide
    roles (coordinator, reviewer, administrator) leave it empty."""
    unit = facts.unit_codes[0] if facts.unit_codes else "SNV"
    rows = [
        [unit, role_label("focal_point"), 2],
        [unit, role_label("leader"), 1],
        ["", role_label("coordinator"), 1],
        ["", role_label("reviewer"), 2],
    ]
    guide = [
        [_("Unit code"), _("The unit's code (already imported); empty for a campaign-wide role.")],
        [_("Role"), _("One of the roles below, in words or as its code.")],
        [_("Number of invitations"), _("How many one-time links to make (1 to 1000; default 1).")],
        [],
        [_("Role"), _("Code")],
        *[[role_label(role), role] for role in facts.roles],
    ]
    return _template(_("Invitations"), invite_template_headings(), rows, [14, 20, 12], guide)


def _template(title: str, headings: list[str], rows: list[list], widths: list[int], guide: list[list]) -> bytes:  # type: ignore[type-arg]
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(sheet_row(sheet, headings))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(sheet_row(sheet, row))
    sheet.freeze_panes = "A2"
    for n, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    notes = book.create_sheet(_("Guide")[:31])  # after the data: an import reads the first sheet
    for row in guide:
        notes.append(sheet_row(notes, row))
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_caption(result: ExportResult) -> str:
    return _(
        "📊 Results workbook: ranking per cohort, points per index, {answers} answers, the evidence index "
        "and the audit log."
    ).format(answers=vn_number(result.answers, 0))


def archive_caption(result: ExportResult) -> str:
    return _("🗂 Evidence: {files} files in folders by unit and sub-index, listed in manifest.csv.").format(
        files=vn_number(result.files, 0)
    )
