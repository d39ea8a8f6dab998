"""`dti-bot units import FILE | template` and `dti-bot people invite | list | remove | revoke | template`;
`dti-bot people assign | unassign` for appraisers' domains."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.campaign_calendar import TIMEZONE
from bot.cli.common import run_with_db, settings
from bot.cli.output import OutputFormat, fail, print_table
from bot.i18n import _
from bot.render.labels import role_label
from bot.render.numbers import vn_date

if TYPE_CHECKING:  # the services (SQLAlchemy, openpyxl) are imported by the commands: a fast --help
    from bot.services.appraisal.domain import Assignment
    from bot.settings import Settings

units_app = typer.Typer(help="Units (departments, communes…).", no_args_is_help=True)
people_app = typer.Typer(help="People and invitations.", no_args_is_help=True)


@units_app.command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(help=".xlsx or .csv: mã đơn vị, tên đơn vị, khối, đơn vị cấp trên… (`units template`)"),
    ],
) -> None:
    """Create or update units from a sheet; nothing is written if any row is bad."""
    from bot.services.access import SYSTEM
    from bot.services.admin.units_import import import_units
    from storage.types import utcnow

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(_("Cannot read the file {path}: {error}").format(path=file, error=exc.strerror or exc))
    report = run_with_db(lambda db, cfg: import_units(db, SYSTEM, data, file.name, cfg.framework_dirs, now=utcnow()))
    typer.echo(
        _("Units: {created} created, {updated} updated, {unchanged} unchanged.").format(
            created=report.created, updated=report.updated, unchanged=report.unchanged
        )
    )


@units_app.command("template")
def units_template_cmd(
    out: Annotated[Path, typer.Option(help="Where to write the example sheet.")] = Path("don-vi-mau.xlsx"),
) -> None:
    """Write a filled-in example of the units sheet (Vietnamese headings, the cohorts the frameworks know)."""
    from bot.render.admin.sheets import units_template_xlsx
    from bot.services.access import SYSTEM
    from bot.services.admin.units_import import template_facts

    facts = run_with_db(lambda db, cfg: template_facts(db, SYSTEM, dirs=cfg.framework_dirs))
    _write_template(out, units_template_xlsx(facts))


@people_app.command("template")
def people_template_cmd(
    out: Annotated[Path, typer.Option(help="Where to write the example sheet.")] = Path("loi-moi-mau.xlsx"),
) -> None:
    """Write a filled-in example of the invitations sheet that the chat's “Invite people” button takes."""
    from bot.render.admin.sheets import invites_template_xlsx
    from bot.services.access import SYSTEM
    from bot.services.admin.units_import import template_facts

    facts = run_with_db(lambda db, cfg: template_facts(db, SYSTEM, invitations=True, dirs=cfg.framework_dirs))
    _write_template(out, invites_template_xlsx(facts))


def _write_template(out: Path, data: bytes) -> None:
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(_("Cannot write the file {path}: {error}").format(path=out, error=exc.strerror or exc))
    typer.echo(_("Example sheet written to {path}: fill it in, then import it.").format(path=out))


def bot_username(config: Settings) -> str:
    """The bot's @username for deep links: from settings, or asked of the Bot API with the token."""
    import urllib.request

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
        Path | None,
        typer.Option(help="CSV for mail merge (default: <DTI_DATA_DIR>/invites/invites-<unit>-<role>-<time>.csv)."),
    ] = None,
) -> None:
    """Issue one-time invitation links (only their hashes are stored; the CSV is readable by its owner only)."""
    from bot.render.admin.sheets import invites_csv
    from bot.services.access import SYSTEM
    from bot.services.admin.invites import MAX_VALIDITY, ValidityTooLong, create_invites, invite_link, parse_expiry
    from storage.types import utcnow

    try:
        expires_in = parse_expiry(expires)
    except ValidityTooLong:
        fail(
            _("Validity “{value}” is too long: an invitation can stay valid at most {days} days.").format(
                value=expires, days=MAX_VALIDITY.days
            )
        )
    except ValueError:
        fail(_("Invalid validity “{value}”: write for example 14d, 48h or 2w.").format(value=expires))
    config = settings()
    username = bot_username(config)
    stamp = datetime.now(TIMEZONE).strftime("%Y%m%d-%H%M%S")
    if out is None:  # in the data folder, not wherever the command was typed (a git checkout…)
        (config.data_dir / "invites").mkdir(mode=0o700, parents=True, exist_ok=True)
        out = config.data_dir / "invites" / f"invites-{unit or 'all'}-{role}-{stamp}.csv"
    existed = out.exists()
    try:
        fd = private_file(out)
    except OSError as exc:
        fail(_("Cannot write the file {path}: {error}").format(path=out, error=exc.strerror or exc))
    try:
        issued = run_with_db(lambda db, _cfg: create_invites(db, SYSTEM, role, unit, count, expires_in, now=utcnow()))
    except BaseException:
        os.close(fd)
        if not existed:
            out.unlink(missing_ok=True)
        raise
    os.ftruncate(fd, 0)
    with os.fdopen(fd, "wb") as fh:
        fh.write(invites_csv(issued, username))
    for invite in issued:
        typer.echo(invite_link(username, invite.code))
    typer.echo(
        _("{count} invitations ({role}) valid until {date}, written to {path}.").format(
            count=len(issued), role=role_label(role), date=vn_date(issued[0].expires_at), path=out
        ),
        err=True,
    )


def private_file(path: Path) -> int:
    """A file descriptor for writing `path`, readable and writable by its owner only (0600) before
    any content is written: invitation links open the bot to whoever holds them."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    except OSError:
        os.close(fd)
        raise
    return fd


def _place(unit_name: str) -> str:
    return unit_name or _("campaign-wide")


def _confirmed(question: str, yes: bool) -> None:
    """Ask before changing anything (unless --yes); a no, or no answer at all, changes nothing."""
    if yes:
        return
    try:
        agreed = typer.confirm(question, default=False)
    except typer.Abort:
        agreed = False
    if not agreed:
        typer.echo(_("Nothing was changed."), err=True)
        raise typer.Exit(1)


@people_app.command("list")
def list_cmd(
    unit: Annotated[str | None, typer.Option(help="Only this unit (code).")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
) -> None:
    """People with a role, and unused invitations (by id; their codes are never stored)."""
    from bot.services.access import SYSTEM
    from bot.services.admin import people
    from storage.types import utcnow

    listing = run_with_db(lambda db, _cfg: people.list_people(db, SYSTEM, unit, now=utcnow()))
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(listing.as_dict(), ensure_ascii=False, indent=2))
        return
    print_table(
        [_("Name"), _("Telegram id"), _("Role"), _("Unit"), _("Since")],
        [
            [h.full_name, str(h.telegram_id or ""), role_label(h.role), h.unit_code or _place(""), vn_date(h.since)]
            for h in listing.holders
        ],
        title=_("People with a role: {count}").format(count=len(listing.holders)),
    )
    print_table(
        [_("Id"), _("Role"), _("Unit"), _("Valid until")],
        [[str(i.id), role_label(i.role), i.unit_code or _place(""), vn_date(i.expires_at)] for i in listing.invites],
        title=_("Unused invitations: {count}").format(count=len(listing.invites)),
    )


@people_app.command("remove")
def remove_cmd(
    telegram_id: Annotated[int, typer.Argument(help="The person's Telegram id (see `people list`).")],
    role: Annotated[str, typer.Option(help="The role to remove.")],
    unit: Annotated[
        str | None, typer.Option(help="Unit code, when the person holds this role in several units.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a person's role; from their next message the bot treats them by the roles they have left."""
    from bot.services.access import SYSTEM
    from bot.services.admin import people
    from storage.types import utcnow

    holders = run_with_db(lambda db, _cfg: people.roles_to_remove(db, SYSTEM, telegram_id, role, unit))
    question = "\n".join(
        _("Remove the role {role} of {name} (Telegram {telegram_id}, {place})?").format(
            role=role_label(h.role), name=h.full_name or "—", telegram_id=telegram_id, place=_place(h.unit_name)
        )
        for h in holders
    )
    _confirmed(question, yes)
    ids = [h.membership_id for h in holders]
    removed = run_with_db(lambda db, _cfg: people.remove_roles(db, SYSTEM, ids, now=utcnow()))
    for holder in removed:
        typer.echo(
            _("Removed the role {role} of {name} ({place}).").format(
                role=role_label(holder.role), name=holder.full_name or "—", place=_place(holder.unit_name)
            )
        )


@people_app.command("revoke")
def revoke_cmd(
    ids: Annotated[list[int] | None, typer.Argument(help="Invitation ids (see `people list`).")] = None,
    all_unused: Annotated[bool, typer.Option("--all-unused", help="Every unused invitation (of --unit).")] = False,
    unit: Annotated[str | None, typer.Option(help="With --all-unused: only this unit's invitations.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Revoke unused invitations: their links stop working."""
    from bot.services.access import SYSTEM
    from bot.services.admin import people
    from storage.types import utcnow

    ids = ids or []
    if bool(ids) == all_unused:
        fail(_("Give invitation ids (see `dti-bot people list`) or --all-unused, not both."))
    if unit is not None and not all_unused:
        fail(_("--unit goes with --all-unused."))
    found = run_with_db(lambda db, _cfg: people.invites_to_revoke(db, SYSTEM, ids, unit, all_unused, now=utcnow()))
    if not found:
        typer.echo(_("There are no unused invitations to revoke."))
        return
    lines = [
        _("#{id} {role} ({place}), valid until {date}").format(
            id=i.id, role=role_label(i.role), place=_place(i.unit_name), date=vn_date(i.expires_at)
        )
        for i in found
    ]
    typer.echo("\n".join(lines))
    _confirmed(_("Revoke these {count} invitations?").format(count=len(found)), yes)
    revoked = run_with_db(lambda db, _cfg: people.revoke_invites(db, SYSTEM, [i.id for i in found], now=utcnow()))
    typer.echo(_("{count} invitations revoked; their links no longer work.").format(count=len(revoked)))


def _codes(scope: str | None) -> list[str] | None:
    return None if scope is None else [c.strip() for c in scope.split(",") if c.strip()]


def _assignment_line(result: Assignment) -> str:
    from bot.render.appraisal.review import scopes_text

    appraiser = result.appraiser
    return _("{name} in {period}: {scopes}.").format(
        name=appraiser.full_name or appraiser.telegram_id,
        period=result.period_title,
        scopes=scopes_text(appraiser.scopes, result.framework.ranking.cohort_name),
    )


@people_app.command("assign")
def assign_cmd(
    person: Annotated[str, typer.Argument(help="The appraiser: Telegram id or full name (see `people list`).")],
    period: Annotated[int, typer.Option(help="Period id (see `dti-bot period list`).")],
    scope: Annotated[str, typer.Option(help="Indices or sub-indices, comma-separated: 1,2.3 (2 covers 2.x).")],
    cohort: Annotated[str, typer.Option(help="Only the units of this cohort (default: every cohort).")] = "",
) -> None:
    """Assign an appraiser (role reviewer) to indices or sub-indices of a period, optionally in one cohort."""
    from bot.services.access import SYSTEM
    from bot.services.appraisal import domain
    from storage.types import utcnow

    result = run_with_db(
        lambda db, _cfg: domain.assign(db, SYSTEM, person, period, _codes(scope) or [], cohort, now=utcnow())
    )
    typer.echo(_("Assigned {count} new scopes. {line}").format(count=result.added, line=_assignment_line(result)))


@people_app.command("unassign")
def unassign_cmd(
    person: Annotated[str, typer.Argument(help="The appraiser: Telegram id or full name.")],
    period: Annotated[int, typer.Option(help="Period id.")],
    scope: Annotated[str | None, typer.Option(help="Only these codes, comma-separated (default: all).")] = None,
    cohort: Annotated[str | None, typer.Option(help="Only the scopes of this cohort.")] = None,
) -> None:
    """Take indices (or everything) out of an appraiser's domain in a period."""
    from bot.services.access import SYSTEM
    from bot.services.appraisal import domain

    result = run_with_db(lambda db, _cfg: domain.unassign(db, SYSTEM, person, period, _codes(scope), cohort))
    typer.echo(_("Removed {count} scopes. {line}").format(count=result.removed, line=_assignment_line(result)))
