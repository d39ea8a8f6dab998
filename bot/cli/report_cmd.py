"""`dti-bot report`: the Word reports — a unit's self-assessment report, or the campaign report.

python-docx is imported inside the command (`dti-bot --help` stays fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_with_db
from bot.cli.output import fail
from bot.i18n import _


def report(
    period: Annotated[int, typer.Option(help="Period id (see `period list`).")],
    out: Annotated[Path, typer.Option("--out", help="The Word document to write (.docx).")],
    unit: Annotated[
        str | None, typer.Option(help="Unit code: its self-assessment report. Omitted: the campaign report.")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Place written before the date (default: the province).")] = None,
    body: Annotated[str | None, typer.Option(help="Campaign report: the issuing body named at the head.")] = None,
) -> None:
    """Write a unit's self-assessment report (--unit) or the campaign report of a period as .docx."""
    from bot.render.admin.report_docx import campaign_report_docx, unit_report_docx
    from bot.services.access import SYSTEM
    from bot.services.admin.reports import campaign_report, unit_report
    from storage.types import utcnow

    async def build(db, _cfg) -> bytes:  # type: ignore[no-untyped-def]
        if unit is None:
            return campaign_report_docx(await campaign_report(db, SYSTEM, period, now=utcnow()), body or "", place)
        return unit_report_docx(await unit_report(db, SYSTEM, period, unit, now=utcnow()), place)

    content = run_with_db(build)
    try:
        out.write_bytes(content)
    except OSError as exc:
        fail(_("Cannot write the file {path}: {error}").format(path=out, error=exc.strerror or exc))
    typer.echo(_("Written: {path}").format(path=out))
