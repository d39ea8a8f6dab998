"""`dti-bot score`: rank units from published index values (CSV) or from a period's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_with_db
from bot.cli.output import OutputFormat, fail, print_table
from bot.i18n import _
from bot.render.errors import framework_error, input_file_error
from bot.services.errors import InputFileError
from scoring import CohortResult, Framework, FrameworkError, find_framework, load_framework, score_all


def score(
    framework: Annotated[str | None, typer.Option(help="Framework id (e.g. qd922-tinh) or a YAML path.")] = None,
    values: Annotated[
        Path | None, typer.Option(help="CSV: unit_code,unit_name,cohort,<index code>... with values 0..1.")
    ] = None,
    period: Annotated[int | None, typer.Option(help="Rank a period from the database instead.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.table,
) -> None:
    """Rank every cohort, from a file of index values or from a period's answers."""
    from bot.services.results.index_values import read_index_values

    if period is not None:
        from bot.services.results.scores import period_scores

        scores = run_with_db(lambda db, _cfg: period_scores(db, period))
        emit_ranking(scores.framework, scores.cohorts, fmt)
        return
    if framework is None or values is None:
        fail(_("Give --period, or --framework and --values."))
    try:
        fw = load_framework(find_framework(framework))
    except FrameworkError as exc:
        fail(framework_error(exc))
    try:
        data = values.read_bytes()
    except OSError as exc:
        fail(_("Cannot read the file {path}: {error}").format(path=values, error=exc.strerror or exc))
    try:
        units = [row.as_unit_input() for row in read_index_values(fw, data)]
    except InputFileError as exc:
        fail(f"{values}: {input_file_error(exc)}")
    except UnicodeDecodeError:
        fail(_("{path}: the file must be saved as UTF-8.").format(path=values))
    emit_ranking(fw, score_all(fw, units), fmt)


def emit_ranking(fw: Framework, cohorts: dict[str, CohortResult], fmt: OutputFormat) -> None:
    from bot.render.results.ranking import (
        ranking_csv,
        ranking_json,
        ranking_records,
        ranking_table_headers,
        ranking_table_rows,
    )

    if fmt is OutputFormat.json:
        typer.echo(ranking_json(ranking_records(fw, cohorts)))
    elif fmt is OutputFormat.csv:
        typer.echo(ranking_csv(ranking_records(fw, cohorts)), nl=False)
    else:
        print_table(ranking_table_headers(), ranking_table_rows(fw, cohorts), title=fw.title)
