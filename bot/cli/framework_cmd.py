"""`dti-bot framework check FILE`: validate a framework file and summarise it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_with_db
from bot.cli.output import fail
from bot.i18n import _
from bot.render.errors import framework_error
from bot.render.numbers import vn_number
from bot.services.frameworks import publish_framework
from scoring import FrameworkError, load_framework

app = typer.Typer(help="Check and publish DTI frameworks.", no_args_is_help=True)


@app.command("check")
def check(file: Annotated[Path, typer.Argument(help="Framework YAML file.")]) -> None:
    """Validate a framework file; exit code 2 names the file and the item at fault."""
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
def publish(file: Annotated[str, typer.Argument(help="Framework YAML file or id.")]) -> None:
    """Store a framework version in the database (idempotent: the same content is stored once)."""
    published = run_with_db(lambda db, cfg: publish_framework(db, file, cfg.framework_dirs))
    message = _("Published {id} ({hash}).") if published.created else _("Already published: {id} ({hash}).")
    typer.echo(message.format(id=published.framework_id, hash=published.content_hash[:12]))
