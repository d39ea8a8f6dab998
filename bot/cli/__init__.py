"""The composition root: the `dti-bot` command. Reads settings, builds everything, starts.

Command help is in English; what a command reports to the operator goes through gettext.
"""

from __future__ import annotations

import typer

from bot.cli import framework_cmd, score_cmd

app = typer.Typer(
    name="dti-bot",
    help="DTI campaign bot: collection, scoring and administration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("score")(score_cmd.score)
app.add_typer(framework_cmd.app, name="framework")


def main() -> None:
    app()
