"""The composition root: the `dti-bot` command. Reads settings, builds everything, starts.

Command help is in English; what a command reports to the operator goes through gettext.
"""

from __future__ import annotations

import typer

from bot.cli import admin_cmd, db_cmd, demo_cmd, doctor_cmd, framework_cmd, period_cmd, run_cmd, score_cmd

app = typer.Typer(
    name="dti-bot",
    help="DTI campaign bot: collection, scoring and administration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("score")(score_cmd.score)
app.command("run")(run_cmd.run)
app.command("sandbox")(run_cmd.sandbox)
app.command("doctor")(doctor_cmd.run_doctor)
app.command("export")(demo_cmd.export_cmd)
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
