"""`dti-bot demo seed` and `dti-bot evidence verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import evidence_store, run_with_db
from bot.cli.output import fail
from bot.i18n import _

demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
evidence_app = typer.Typer(help="Evidence files.", no_args_is_help=True)


@demo_app.command("seed")
def seed_cmd() -> None:
    """Seed a demo province into an empty database."""
    from bot.services.demo.seed import seed_demo
    from storage.types import utcnow

    # a demo may start a database of its own
    report = run_with_db(lambda db, cfg: seed_demo(db, evidence_store(cfg), now=utcnow()), create=True)
    typer.echo(
        _(
            "Demo province created: {units} units, {people} people, {answers} answers, {files} evidence files. "
            "Open period: {period} (last year: {previous})."
        ).format(
            units=report.units,
            people=report.people,
            answers=report.answers,
            files=report.evidence_files,
            period=report.period_id,
            previous=report.previous_period_id,
        )
    )


@evidence_app.command("verify")
def verify_cmd(
    sample: Annotated[int | None, typer.Option(help="Check only a random sample of this many files.")] = None,
) -> None:
    """Re-hash every evidence file and list missing or corrupt ones (exit code 1 if any)."""
    from rich.progress import Progress

    from bot.cli.common import settings
    from bot.services.admin.evidence_check import evidence_keys

    config = settings()
    keys = run_with_db(lambda db, _cfg: evidence_keys(db))
    if sample is not None:
        import random

        keys = random.sample(keys, min(sample, len(keys)))
    store = evidence_store(config)
    with Progress(transient=True) as progress:
        task = progress.add_task(_("Checking evidence files"), total=len(keys))
        report = store.verify(keys, on_item=lambda: progress.advance(task))
    for key in report.missing:
        typer.echo(_("missing: {key}").format(key=key))
    for key in report.corrupt:
        typer.echo(_("corrupt: {key}").format(key=key))
    typer.echo(
        _("{checked} files checked: {missing} missing, {corrupt} corrupt.").format(
            checked=report.checked, missing=len(report.missing), corrupt=len(report.corrupt)
        )
    )
    if not report.ok:
        fail("", code=1)


def export_cmd(
    period: Annotated[int, typer.Option(help="Period id (see `period list`).")],
    out: Annotated[Path, typer.Option(help="Folder for the .xlsx and the evidence .zip.")] = Path("export"),
) -> None:
    """Export a period for people to read: an .xlsx (ranking, points, answers, evidence index, audit log;
    Vietnamese words, real numbers, local times) and a ZIP of the evidence, named DTI-<year>-ket-qua.xlsx
    and DTI-<year>-minh-chung.zip."""
    from bot.services.access import SYSTEM
    from bot.services.admin.export import export_period

    result = run_with_db(lambda db, cfg: export_period(db, evidence_store(cfg), period, out, SYSTEM))
    typer.echo(
        _("Exported {answers} answers and {files} files: {xlsx}, {archive}").format(
            answers=result.answers, files=result.files, xlsx=result.xlsx, archive=result.archive
        )
    )
