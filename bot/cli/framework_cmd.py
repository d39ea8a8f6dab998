"""`dti-bot framework check | publish | template | export`: frameworks as YAML files or Excel workbooks.

openpyxl, the workbook module and the database are imported inside the commands (`dti-bot --help` stays fast).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_with_db, settings
from bot.cli.output import fail
from bot.i18n import _
from bot.render.errors import framework_error
from bot.render.numbers import vn_number
from scoring import Framework, FrameworkError, load_framework

app = typer.Typer(help="Check, publish, template and export DTI frameworks.", no_args_is_help=True)


def _is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in (".xlsx", ".xlsm")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(_("Cannot read the file {path}: {error}").format(path=path, error=exc.strerror or exc))


def _checked_workbook(path: Path) -> Framework:
    from bot.render.admin.framework_screens import workbook_errors
    from bot.services.admin.framework_workbook import WorkbookErrors, read_framework_workbook

    try:
        return read_framework_workbook(_read_bytes(path), str(path)).framework
    except WorkbookErrors as exc:
        fail(f"{path}: {workbook_errors(exc)}")


def _write(out: Path, content: bytes) -> None:
    try:
        out.write_bytes(content)
    except OSError as exc:
        fail(_("Cannot write the file {path}: {error}").format(path=out, error=exc.strerror or exc))


@app.command("check")
def check(file: Annotated[Path, typer.Argument(help="Framework file: YAML or Excel workbook (.xlsx).")]) -> None:
    """Validate a framework file; exit code 2 names the item (YAML) or the sheet, row and column (.xlsx)."""
    if _is_workbook(file):
        fw = _checked_workbook(file)
    else:
        try:
            fw = load_framework(file)
        except FrameworkError as exc:
            fail(framework_error(exc))
    typer.echo(
        _("Valid: {id} — {title}: {indices} indices, {subs} sub-indices, {total} points in total.").format(
            id=fw.id,
            title=fw.title,
            indices=len(fw.indices),
            subs=len(fw.sub_indices),
            total=vn_number(fw.total_points, 0),
        )
    )


@app.command("publish")
def publish(file: Annotated[str, typer.Argument(help="Framework YAML file, Excel workbook (.xlsx) or id.")]) -> None:
    """Store a framework version in the database (idempotent: the same content is stored once)."""
    from bot.services.access import SYSTEM
    from bot.services.admin.frameworks import publish_framework

    if _is_workbook(file):
        from bot.services.admin.framework_workbook import publish_workbook

        path = Path(file)
        _checked_workbook(path)  # problems are reported by sheet, row and column before the database is opened
        content = _read_bytes(path)
        published = run_with_db(lambda db, _cfg: publish_workbook(db, SYSTEM, content, str(path)))
    else:
        published = run_with_db(lambda db, cfg: publish_framework(db, SYSTEM, file, cfg.framework_dirs))
    message = _("Published {id} ({hash}).") if published.created else _("Already published: {id} ({hash}).")
    typer.echo(message.format(id=published.framework_id, hash=published.content_hash[:12]))


@app.command("template")
def template(out: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")]) -> None:
    """Write an empty framework workbook: instructions, Vietnamese headings, drop-down lists."""
    from bot.services.admin.framework_workbook import template_workbook

    _write(out, template_workbook())
    typer.echo(_("Written: {path}").format(path=out))


@app.command("export")
def export(
    framework: Annotated[str, typer.Argument(help="Framework id (shipped or published) or a YAML path.")],
    out: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
) -> None:
    """Write a shipped or published framework as a workbook that `framework check` accepts."""
    from bot.services.admin.framework_workbook import framework_data, framework_workbook
    from scoring.loader import find_framework, framework_from_data, resolve_framework_data

    dirs = settings().framework_dirs
    try:
        path = find_framework(framework, dirs)
    except FrameworkError:  # not a shipped file: a version published in the database
        data = run_with_db(lambda db, cfg: framework_data(db, framework, cfg.framework_dirs))
    else:
        try:
            data = resolve_framework_data(path.read_text(encoding="utf-8"), str(path), dirs)
            framework_from_data(data, str(path))  # a broken file is reported, not exported
        except FrameworkError as exc:
            fail(framework_error(exc))
    try:
        content = framework_workbook(data)
    except ValueError as exc:
        fail(_("This framework cannot be written as a workbook: {problem}").format(problem=exc))
    _write(out, content)
    typer.echo(_("Written: {path}").format(path=out))
