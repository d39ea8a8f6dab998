"""The composition root: the `dti-bot` command. Reads settings, builds everything, starts.

Command help is in English; what a command reports to the operator goes through gettext.
"""

from __future__ import annotations

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
)

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


def main() -> None:
    app()
