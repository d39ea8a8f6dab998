"""The composition root: the `dti-bot` command. Reads settings, builds everything, starts.

Command help is in English; what a command reports to the operator goes through gettext.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import (
    admin_cmd,
    common,
    db_cmd,
    demo_cmd,
    doctor_cmd,
    framework_cmd,
    period_cmd,
    report_cmd,
    run_cmd,
    score_cmd,
    values_cmd,
)
from bot.i18n import _

app = typer.Typer(
    name="dti-bot",
    help="DTI campaign bot: collection, scoring and administration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def options(
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file",
            help="Settings file (default: $DTI_ENV_FILE, else /etc/dti-bot/env, else .env of the app folder).",
        ),
    ] = None,
) -> None:
    """DTI campaign bot: collection, scoring and administration."""
    common.use_env_file(env_file)


app.command("score")(score_cmd.score)
app.command("run")(run_cmd.run)
app.command("sandbox")(run_cmd.sandbox)
app.command("doctor")(doctor_cmd.run_doctor)
app.command("export")(demo_cmd.export_cmd)
app.command("report")(report_cmd.report)
app.add_typer(framework_cmd.app, name="framework")
app.add_typer(db_cmd.app, name="db")
app.add_typer(admin_cmd.units_app, name="units")
app.add_typer(admin_cmd.people_app, name="people")
app.add_typer(period_cmd.app, name="period")
app.add_typer(period_cmd.results_app, name="results")
app.add_typer(demo_cmd.demo_app, name="demo")
app.add_typer(demo_cmd.evidence_app, name="evidence")
app.add_typer(values_cmd.app, name="values")


def main(args: list[str] | None = None) -> None:
    """The `dti-bot` console script. Every error ends as one line on stderr, never a traceback: a
    mistyped command or option, or a problem a command reports, exits with code 2; a question answered
    no with 1; Ctrl+C with 130. An unexpected error (a bug) is written to the log when the command set
    logging up (`run`, `sandbox`: a server keeps its logs), else to a report file the line names."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError  # typer bundles click

    from bot.cli.output import INPUT_ERROR, usage_error_line

    try:
        code = app(args=args, prog_name="dti-bot", standalone_mode=False)
    except NoArgsIsHelpError as exc:  # `dti-bot period`: the help is the answer
        if exc.format_message().strip():
            typer.echo(exc.format_message(), err=True)
        sys.exit(INPUT_ERROR)
    except ClickException as exc:
        typer.echo(usage_error_line(exc), err=True)
        sys.exit(INPUT_ERROR)
    except typer.Abort:  # end of input at a question
        typer.echo(_("Cancelled: nothing was changed."), err=True)
        sys.exit(1)
    except Exception as exc:
        _unexpected(exc)
        sys.exit(INPUT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)


def _unexpected(exc: Exception) -> None:
    import logging
    import os
    import tempfile

    from bot.cli.output import unexpected_error_line
    from bot.logs import RedactingFilter, format_exception_safely, log_uncaught

    handlers = logging.getLogger().handlers
    if any(isinstance(f, RedactingFilter) for h in handlers for f in h.filters):
        log_uncaught(type(exc), exc, exc.__traceback__)  # one JSON line when JSON logs are chosen
        return
    report: str | None = None
    try:
        fd, report = tempfile.mkstemp(prefix="dti-bot-error-", suffix=".txt")  # 0600: its owner's only
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"dti-bot {' '.join(sys.argv[1:2])}\n{format_exception_safely(exc)}\n")
    except OSError:
        report = None
    typer.echo(unexpected_error_line(exc, report), err=True)
