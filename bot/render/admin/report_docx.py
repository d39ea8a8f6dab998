"""The reports as Word documents, laid out as Vietnamese administrative documents are
(Nghị định 30/2020/NĐ-CP): the issuing body and the national motto at the head, place and date,
the title, the body, the recipients and the signature; A4, Times New Roman 13–14.

python-docx is imported inside the functions (the command line stays fast to start).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any

from bot.i18n import _
from bot.render.assessment.cards import describe_answer
from bot.render.numbers import vn_date, vn_number, vn_percent, vn_points
from bot.services.admin.reports import CampaignReport, CitedEvidence, ReportItem, UnitReport
from scoring import Framework

FONT = "Times New Roman"
BODY_SIZE = 14
TABLE_SIZE = 12


# -- words --------------------------------------------------------------------------------------------------
def place_of(framework: Framework) -> str:
    """The place named before the date: the province of the issuing people's committee
    ("Ủy ban nhân dân tỉnh Đồng Tháp" → "Đồng Tháp"), or a blank to fill in."""
    issuer = framework.issuer.strip()
    for prefix in ("ủy ban nhân dân tỉnh ", "ủy ban nhân dân thành phố ", "ubnd tỉnh ", "ubnd thành phố "):
        if issuer.casefold().startswith(prefix) and "(" not in issuer:
            return issuer[len(prefix) :].strip()
    return "……………"


def dated_line(place: str, day: date) -> str:
    """ "Đồng Tháp, ngày 05 tháng 02 năm 2026": days below 10 and the months 1 and 2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return _("{place}, day {day} month {month} year {year}").format(
        place=place, day=f"{day.day:02d}", month=month, year=day.year
    )


def answer_text(item: ReportItem) -> str:
    if item.result.status == "not_applicable":
        return _("Not applicable")
    if item.sub.method.kind == "external":
        provider = getattr(item.sub.method, "provider", "")
        if item.result.status != "unanswered" and provider:
            return _("Figure provided by {provider}").format(provider=provider)
        return _("Entered by the coordinator")
    if item.raw is None:
        return _("Not answered")
    return unescape(describe_answer(item.sub, item.raw))


def evidence_text(evidence: CitedEvidence) -> str:
    if evidence.kind == "document_ref":
        when = _(", dated {date}").format(date=vn_date(evidence.doc_date)) if evidence.doc_date else ""
        return _("Document No. {number}{when}: {summary}").format(
            number=evidence.doc_number, when=when, summary=evidence.doc_summary
        )
    if evidence.kind == "link":
        return evidence.url
    if evidence.kind == "photo":
        return _("Photo: {name}").format(name=evidence.file_name or "—")
    return _("File: {name}").format(name=evidence.file_name or "—")


def _pts(value: Decimal | None, places: int) -> str:
    return "—" if value is None else vn_number(value, places)


# -- the document's furniture -------------------------------------------------------------------------------
class _Doc:
    def __init__(self) -> None:
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        self.Pt, self.Mm, self.align, self.qn = Pt, Mm, WD_ALIGN_PARAGRAPH, qn
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        style = self.doc.styles["Normal"]
        style.font.name, style.font.size = FONT, Pt(BODY_SIZE)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.line_spacing = 1.0
        self.doc.core_properties.language = "vi-VN"

    def para(
        self,
        text: str = "",
        *,
        cell: Any = None,
        bold: bool = False,
        italic: bool = False,
        size: int = BODY_SIZE,
        align: str = "justify",
        indent: bool = False,
        after: int = 0,
        before: int = 0,
        upper: bool = False,
    ) -> Any:
        container = cell if cell is not None else self.doc
        if cell is not None and len(cell.paragraphs) == 1 and not cell.paragraphs[0].text:
            paragraph = cell.paragraphs[0]
        else:
            paragraph = container.add_paragraph()
        paragraph.alignment = {
            "justify": self.align.JUSTIFY,
            "center": self.align.CENTER,
            "left": self.align.LEFT,
            "right": self.align.RIGHT,
        }[align]
        fmt = paragraph.paragraph_format
        fmt.space_after, fmt.space_before = self.Pt(after), self.Pt(before)
        if indent:
            fmt.first_line_indent = self.Mm(10)
        if text:
            run = paragraph.add_run(text.upper() if upper else text)
            run.bold, run.italic, run.font.size = bold, italic, self.Pt(size)
        return paragraph

    def rule(self, cell: Any = None, width_mm: int = 30) -> None:
        """The short line under the body's name, the motto and the title."""
        from docx.oxml import OxmlElement

        paragraph = self.para(cell=cell, align="center", size=4)
        if cell is not None and paragraph is cell.paragraphs[0]:  # never reuse a cell's first line for a rule
            paragraph = self.para(cell=cell, align="center", size=4)
        total = 165 if cell is None else int(cell.width.mm) if cell.width else 80
        side = max((total - width_mm) // 2, 0)
        fmt = paragraph.paragraph_format
        fmt.left_indent, fmt.right_indent = self.Mm(side), self.Mm(side)
        ppr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(self.qn(key), value)
        borders.append(bottom)
        ppr.append(borders)
        run = paragraph.add_run("")
        run.font.size = self.Pt(2)

    def frame(self, widths_mm: Sequence[int]) -> Any:
        """A borderless table that places blocks side by side (the head, the signature)."""
        table = self.doc.add_table(rows=1, cols=len(widths_mm))
        table.autofit = False
        self._widths(table, widths_mm)
        return table.rows[0].cells

    def _widths(self, table: Any, widths_mm: Sequence[int]) -> None:
        """Widths on the grid (LibreOffice reads these) and on every cell (Word reads those)."""
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = self.Mm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=False):
                cell.width = self.Mm(width)

    def grid(
        self,
        headings: Sequence[str],
        widths_mm: Sequence[int],
        rows: Sequence[Sequence[str]],
        *,
        numeric: Sequence[int] = (),
        bold_rows: Sequence[int] = (),
        spans: Sequence[int] = (),
    ) -> None:
        """A bordered table; `spans` are rows (0-based, after the heading) merged across (a group title)."""
        from docx.enum.table import WD_TABLE_ALIGNMENT

        table = self.doc.add_table(rows=1 + len(rows), cols=len(headings))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        self._widths(table, widths_mm)  # before merging: a merged cell spans the widths of its columns
        for n, heading in enumerate(headings):
            self.para(heading, cell=table.rows[0].cells[n], bold=True, size=TABLE_SIZE, align="center")
        self._repeat_heading(table.rows[0])
        for r, values in enumerate(rows):
            cells = table.rows[r + 1].cells
            if r in spans:
                merged = cells[0].merge(cells[-1])
                self.para(values[0], cell=merged, bold=True, size=TABLE_SIZE, align="left")
                continue
            for n, value in enumerate(values):
                align = "right" if n in numeric else ("center" if n == 0 else "left")
                self.para(value, cell=cells[n], size=TABLE_SIZE, align=align, bold=r in bold_rows)

    def _repeat_heading(self, row: Any) -> None:
        from docx.oxml import OxmlElement

        header = OxmlElement("w:tblHeader")
        header.set(self.qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(header)

    def head(self, parent: str, body: str, place_date: str, number_suffix: str) -> None:
        """The head (thể thức): the body on the left, the national motto on the right."""
        left, right = self.frame((62, 103))
        if parent:
            self.para(parent, cell=left, size=13, align="center", upper=True)
        self.para(body, cell=left, size=13, bold=True, align="center", upper=True)
        self.rule(cell=left, width_mm=25)
        self.para(_("No.:      /{suffix}").format(suffix=number_suffix), cell=left, size=13, align="center", before=4)
        self.para(_("SOCIALIST REPUBLIC OF VIETNAM"), cell=right, size=12, bold=True, align="center")
        self.para(_("Independence - Freedom - Happiness"), cell=right, size=14, bold=True, align="center")
        self.rule(cell=right, width_mm=60)
        self.para(place_date, cell=right, size=14, italic=True, align="center", before=4)

    def title(self, kind: str, subject: str) -> None:
        self.para(kind, bold=True, align="center", before=18, upper=True)
        self.para(subject, bold=True, align="center")
        self.rule(width_mm=40)

    def signature(self, recipients: Sequence[str], office: str, name: str, note: str) -> None:
        left, right = self.frame((75, 90))
        self.para(_("Recipients:"), cell=left, size=12, bold=True, italic=True, align="left", before=12)
        for line in recipients:
            self.para(line, cell=left, size=11, align="left")
        self.para(office, cell=right, size=14, bold=True, align="center", upper=True, before=12)
        self.para(note, cell=right, size=13, italic=True, align="center")
        for _n in range(4):
            self.para(cell=right)
        self.para(name or "", cell=right, size=14, bold=True, align="center")

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


# -- the unit's self-assessment report -----------------------------------------------------------------------
def unit_report_docx(report: UnitReport, place: str | None = None) -> bytes:
    """The unit's self-assessment report: totals, points per index, each sub-index with its answer,
    points and evidence, the items without evidence, and the signature of the head of the unit."""
    fw, result = report.framework, report.result
    places = fw.rounding.points
    d = _Doc()
    d.head(
        report.parent_name,
        report.unit_name,
        dated_line(place or place_of(fw), report.issued_on),
        _("BC-{code}").format(code=report.unit_code),
    )
    d.title(
        _("Report"),
        _("Results of the self-assessment of the digital transformation index, year {year}").format(year=report.year),
    )
    if fw.issuer:
        d.para(_("To: {recipient}").format(recipient=fw.issuer), align="center", before=6, after=6)

    d.para(
        _(
            "Under {framework}{decision}, {unit} has assessed itself for {period}. The figures below are "
            "computed by the DTI bot from the answers and evidence the unit entered, as of {date}."
        ).format(
            framework=fw.title,
            decision=_(" (Decision No. {number} of {date})").format(
                number=fw.decision_number, date=vn_date(fw.decision_date)
            )
            if fw.decision_number and fw.decision_date
            else "",
            unit=report.unit_name,
            period=report.period_title,
            date=vn_date(report.issued_on),
        ),
        indent=True,
        before=6,
        after=6,
    )
    d.para(_("I. Overall result"), bold=True, after=3, upper=True)
    d.para(
        _("Self-assessed points: {self} out of {max}.").format(
            self=vn_number(report.self_result.points, places), max=vn_points(result.max_points)
        ),
        indent=True,
    )
    d.para(
        _("Points after review: {points} out of {max} ({percent}; index value {value}{band}).").format(
            points=vn_number(result.points, places),
            max=vn_points(result.max_points),
            percent=vn_percent(result.percent, fw.rounding.percent),
            value=vn_number(result.value, fw.rounding.value),
            band=_("; {band}").format(band=result.band) if result.band else "",
        ),
        indent=True,
    )
    if report.entry.rank is not None:
        d.para(
            _("Rank: {rank} of {count} in the {cohort}.").format(
                rank=report.entry.rank, count=len(report.cohort.ranked), cohort=report.cohort.name
            ),
            indent=True,
        )
    counts = result.counts
    d.para(
        _(
            "Sub-indices: {full} at full points, {partial} partly, {zero} at zero, {unanswered} not answered, "
            "{na} not applicable."
        ).format(
            full=counts.full,
            partial=counts.partial,
            zero=counts.zero,
            unanswered=counts.unanswered,
            na=counts.not_applicable,
        ),
        indent=True,
    )
    if report.provisional:
        d.para(
            _(
                "The result is provisional: items not yet reviewed count with their self-assessed points, and "
                "min-max items wait for the whole cohort."
            ),
            italic=True,
            indent=True,
        )

    d.para(_("II. Points per index"), bold=True, before=6, after=3, upper=True)
    rows = [
        [
            str(n),
            f"{line.code}. {line.name}",
            vn_points(line.max_points),
            _pts(line.self_points, places) if line.source == "answers" else "—",
            _pts(line.points, places),
        ]
        for n, line in enumerate(report.indices, 1)
    ]
    rows.append(
        [
            "",
            _("Total"),
            vn_points(result.max_points),
            vn_number(report.self_result.points, places),
            vn_number(result.points, places),
        ]
    )
    d.grid(
        [_("No."), _("Index"), _("Maximum points"), _("Self-assessed"), _("After review")],
        (12, 78, 22, 27, 26),
        rows,
        numeric=(2, 3, 4),
        bold_rows=(len(rows) - 1,),
    )

    d.para(_("III. Sub-indices, answers and evidence"), bold=True, before=12, after=3, upper=True)
    detail: list[list[str]] = []
    spans: list[int] = []
    by_index: dict[str, list[ReportItem]] = {}
    for item in report.items:
        by_index.setdefault(item.sub.index_code, []).append(item)
    for index in fw.indices:
        if index.code not in by_index:
            continue
        spans.append(len(detail))
        detail.append([f"{index.code}. {index.name}"])
        for item in by_index[index.code]:
            result_line = item.result
            detail.append(
                [
                    item.sub.code,
                    item.sub.name,
                    answer_text(item),
                    f"{vn_points(result_line.self_points) if result_line.self_points is not None else '—'}"
                    f"/{vn_points(item.sub.max_points)}",
                    vn_points(result_line.verified_points) if result_line.verified_points is not None else "—",
                    "\n".join(evidence_text(e) for e in item.evidence) or "—",
                ]
            )
    if detail:
        d.grid(
            [_("Code"), _("Sub-index"), _("Answer"), _("Self-assessed"), _("Reviewed"), _("Evidence cited")],
            (13, 44, 34, 20, 18, 36),
            detail,
            numeric=(3, 4),
            spans=spans,
        )
    else:
        d.para(_("The framework of this period has no sub-index: its index values are published."), indent=True)

    d.para(_("IV. Items without evidence"), bold=True, before=12, after=3, upper=True)
    missing = report.without_evidence
    if missing:
        d.para(
            _("The unit explains below why these items have no evidence (to be completed before signing)."),
            indent=True,
            after=3,
        )
        d.grid(
            [_("Code"), _("Sub-index"), _("Self-assessed"), _("Explanation of the unit")],
            (13, 62, 22, 68),
            [[i.sub.code, i.sub.name, vn_points(i.result.self_points or Decimal(0)), i.explanation] for i in missing],
            numeric=(2,),
        )
    else:
        d.para(_("Every item with points claimed has its evidence cited."), indent=True)

    d.para(
        _("{unit} reports the above results of its self-assessment.").format(unit=report.unit_name),
        indent=True,
        before=12,
    )
    d.signature(
        [_("- As above;"), _("- Filed: Records.")],
        _("Head of the unit"),
        report.leader_name,
        _("(Signature, full name and seal)"),
    )
    return d.bytes()


# -- the campaign report ------------------------------------------------------------------------------------
def campaign_report_docx(report: CampaignReport, body: str = "", place: str | None = None) -> bytes:
    """Per cohort: the ranking, the average, the top and the bottom, the spread, items at full /
    partial / zero points."""
    fw = report.framework
    places = fw.rounding.points
    d = _Doc()
    d.head("", body or fw.issuer or _("Coordinating body"), dated_line(place or place_of(fw), report.issued_on), "BC")
    d.title(
        _("Report"), _("Results of the digital transformation index assessment, year {year}").format(year=report.year)
    )
    d.para(
        _("Framework: {framework}. Period: {period}. Figures as of {date}{state}.").format(
            framework=fw.title,
            period=report.period_title,
            date=vn_date(report.issued_on),
            state=_(" (provisional)") if report.period_state != "published" else "",
        ),
        indent=True,
        before=6,
        after=6,
    )
    for n, entry in enumerate(report.cohorts, 1):
        cohort, stats = entry.cohort, entry.cohort.stats
        d.para(
            _("{number}. {cohort}").format(number=_roman(n), cohort=cohort.name or _("All units")),
            bold=True,
            before=6,
            after=3,
            upper=True,
        )
        if stats is None:
            d.para(_("No unit of this cohort is ranked."), indent=True)
            continue
        d.para(
            _(
                "{count} units ranked; average {average} points (index value {value}); highest {top} ({top_points}), "
                "lowest {bottom} ({bottom_points}); spread {spread} points; {share} of units at or above the average."
            ).format(
                count=stats.count,
                average=vn_number(stats.average_points, places),
                value=vn_number(stats.average_value, fw.rounding.value),
                top=stats.top.name,
                top_points=vn_number(stats.top.result.points, places),
                bottom=stats.bottom.name,
                bottom_points=vn_number(stats.bottom.result.points, places),
                spread=vn_number(stats.spread_points, places),
                share=vn_percent(stats.share_at_or_above_average * 100, fw.rounding.percent),
            ),
            indent=True,
        )
        d.para(
            _(
                "Sub-indices of the ranked units: {full} at full points, {partial} partly, {zero} at zero, "
                "{unanswered} not answered."
            ).format(full=entry.full, partial=entry.partial, zero=entry.zero, unanswered=entry.unanswered),
            indent=True,
            after=3,
        )
        rows = [
            [
                str(e.rank) if e.rank is not None else "—",
                e.name,
                vn_number(e.result.points, places),
                vn_number(e.result.value, fw.rounding.value),
                str(e.result.counts.full),
                str(e.result.counts.partial),
                str(e.result.counts.zero),
            ]
            for e in cohort.entries
        ]
        d.grid(
            [_("Rank"), _("Unit"), _("Points"), _("Value"), _("Full"), _("Partial"), _("Zero")],
            (14, 62, 22, 22, 15, 15, 15),
            rows,
            numeric=(2, 3, 4, 5, 6),
        )
    d.signature(
        [_("- As above;"), _("- Filed: Records.")], _("Head of the body"), "", _("(Signature, full name and seal)")
    )
    return d.bytes()


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out, n = out + letters, n - value
    return out
