"""`dti-bot units import FILE` and `dti-bot people invite …`."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import run_with_db, settings
from bot.cli.output import fail
from bot.i18n import _
from bot.render.labels import role_label
from bot.render.numbers import VN_TZ, vn_date
from bot.render.sheets import invites_csv
from bot.services.invites import create_invites, invite_link, parse_expiry
from bot.services.units_import import import_units
from bot.settings import Settings

units_app = typer.Typer(help="Units (departments, communes…).", no_args_is_help=True)
people_app = typer.Typer(help="People and invitations.", no_args_is_help=True)


@units_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help=".xlsx or .csv with code, name, cohort, parent, …")]) -> None:
    """Create or update units from a sheet; nothing is written if any row is bad."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(_("Cannot read the file {path}: {error}").format(path=file, error=exc.strerror or exc))
    report = run_with_db(lambda db, _cfg: import_units(db, data, file.name))
    typer.echo(
        _("Units: {created} created, {updated} updated, {unchanged} unchanged.").format(
            created=report.created, updated=report.updated, unchanged=report.unchanged
        )
    )


def bot_username(config: Settings) -> str:
    """The bot's @username for deep links: from settings, or asked of the Bot API with the token."""
    if config.bot_username:
        return config.bot_username.lstrip("@")
    if config.bot_token is None:
        fail(_("Set DTI_BOT_USERNAME (or DTI_BOT_TOKEN) so that invitation links can be built."))
    url = f"{config.telegram_api_url.rstrip('/')}/bot{config.bot_token.get_secret_value()}/getMe"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)["result"]["username"]
    except Exception:  # any network or API failure: the message says what to do
        fail(_("The Bot API could not be reached to learn the bot's username; set DTI_BOT_USERNAME."))


@people_app.command("invite")
def invite_cmd(
    role: Annotated[str, typer.Option(help="focal_point, leader, reviewer, coordinator or admin.")],
    unit: Annotated[str | None, typer.Option(help="Unit code (not needed for campaign-wide roles).")] = None,
    count: Annotated[int, typer.Option(help="How many one-time invitations.")] = 1,
    expires: Annotated[str, typer.Option(help="Validity: 14d, 48h, 2w.")] = "14d",
    out: Annotated[
        Path | None, typer.Option(help="CSV for mail merge (default: invites-<unit>-<role>-<time>.csv).")
    ] = None,
) -> None:
    """Issue one-time invitation links (only their hashes are stored)."""
    try:
        expires_in = parse_expiry(expires)
    except ValueError:
        fail(_("Invalid validity “{value}”: write for example 14d, 48h or 2w.").format(value=expires))
    username = bot_username(settings())
    issued = run_with_db(lambda db, _cfg: create_invites(db, role, unit, count, expires_in))
    stamp = datetime.now(VN_TZ).strftime("%Y%m%d-%H%M%S")
    out = out or Path(f"invites-{unit or 'all'}-{role}-{stamp}.csv")
    out.write_bytes(invites_csv(issued, username))
    for invite in issued:
        typer.echo(invite_link(username, invite.code))
    typer.echo(
        _("{count} invitations ({role}) valid until {date}, written to {path}.").format(
            count=len(issued), role=role_label(role), date=vn_date(issued[0].expires_at), path=out
        ),
        err=True,
    )
