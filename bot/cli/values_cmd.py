"""`dti-bot values import --period P FILE`: figures other agencies provide (external items)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_with_db
from bot.cli.output import fail
from bot.i18n import _

app = typer.Typer(help="Figures other agencies provide (external items).", no_args_is_help=True)


@app.command("import")
def import_cmd(
    period: Annotated[int, typer.Option(help="Period id.")],
    file: Annotated[
        Path, typer.Argument(help=".csv or .xlsx: mã đơn vị, mã chỉ số thành phần, giá trị, ghi chú (the source).")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Save without asking after the preview.")] = False,
) -> None:
    """Preview every row (refused ones with the reason), then save the good rows in one go."""
    from bot.render.results.external_values import preview_lines
    from bot.services.access import SYSTEM
    from bot.services.results.external_values import MAX_FILE_BYTES, import_values
    from storage.types import utcnow

    try:
        if file.stat().st_size > MAX_FILE_BYTES:  # refused before it is read into memory
            fail(
                _("The file is larger than {limit} MB: a file of figures is only a few kilobytes.").format(
                    limit=MAX_FILE_BYTES // (1024 * 1024)
                )
            )
        data = file.read_bytes()
    except OSError as exc:
        fail(_("Cannot read the file {path}: {error}").format(path=file, error=exc.strerror or exc))
    preview = run_with_db(
        lambda db, _cfg: import_values(db, SYSTEM, period, data, file.name, apply=False, now=utcnow())
    )
    for line in preview_lines(preview):
        typer.echo(line)
    if preview.file_errors:
        fail(_("Nothing was saved: fix the file and import it again."))
    if not any(not r.unchanged for r in preview.good):
        typer.echo(_("Nothing to save."))
        raise typer.Exit(2 if preview.refused else 0)
    if not yes:
        question = _("Save the {count} good rows?").format(count=len(preview.good))
        try:
            agreed = typer.confirm(question, default=False)
        except typer.Abort:
            agreed = False
        if not agreed:
            typer.echo(_("Nothing was changed."), err=True)
            raise typer.Exit(1)
    done = run_with_db(lambda db, _cfg: import_values(db, SYSTEM, period, data, file.name, apply=True, now=utcnow()))
    typer.echo(preview_lines(done)[-1])
    if done.refused:
        raise typer.Exit(2)
