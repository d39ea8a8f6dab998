"""`dti-bot period open | start | appraisal | provisional | final | reopen | deadline | list | reminders`
(and the older `lock | unlock | publish | unpublish`) and `dti-bot results import`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import run_with_db
from bot.cli.output import OutputFormat, fail, print_table
from bot.i18n import _
from bot.render.errors import service_error
from bot.render.labels import period_state_label
from bot.render.numbers import vn_date
from bot.services.errors import ServiceError

if TYPE_CHECKING:  # the services (SQLAlchemy) are imported by the commands that use them: a fast --help
    from bot.services.campaign.periods import PeriodInfo

app = typer.Typer(help="Assessment periods.", no_args_is_help=True)
results_app = typer.Typer(help="Published results.", no_args_is_help=True)


def _say(info: PeriodInfo) -> None:
    typer.echo(
        _("Period {id}: {title} — {state}, deadline {deadline}.").format(
            id=info.id, title=info.title, state=period_state_label(info.state), deadline=vn_date(info.deadline)
        )
    )


@app.command("open")
def open_cmd(
    framework: Annotated[str, typer.Option(help="Framework id, e.g. dongthap-1397-so.")],
    year: Annotated[int, typer.Option(help="Year assessed.")],
    deadline: Annotated[str, typer.Option(help="Last day for answers, YYYY-MM-DD (local time).")],
    title: Annotated[str | None, typer.Option(help="Title shown to people (default: framework title — year).")] = None,
    again: Annotated[
        str | None,
        typer.Option(help='Open a second period for the same framework and year; the reason, e.g. "re-run".'),
    ] = None,
) -> None:
    """Open a period for collection (one per framework and year, unless --again)."""
    from bot.services.access import SYSTEM
    from bot.services.campaign.periods import open_period

    last_day = _date(deadline)
    _say(
        run_with_db(
            lambda db, cfg: open_period(
                db, SYSTEM, framework, year, last_day, title, cfg.framework_dirs, again_reason=again
            )
        )
    )


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(_("Invalid date “{value}”: write YYYY-MM-DD.").format(value=value))


PHASE_NAMES = {"self-assessment": "open", "appraisal": "locked", "provisional": "provisional"}


def _move(
    period: int,
    move: str,
    *,
    reason: str = "",
    until: str | None = None,
    to: str | None = None,
    yes: bool = True,
    legacy: bool = False,
) -> None:
    """Ask first (unless --yes), move the period, say where it stands now."""
    from bot.campaign_calendar import local_date
    from bot.render.campaign.phases import move_warning, phase_line, results_notice
    from bot.services.access import SYSTEM
    from bot.services.campaign.periods import (
        FEEDBACK_WORKING_DAYS,
        change_state,
        default_until,
        full_feedback_window,
        get_period,
        move_check,
        move_phase,
    )
    from storage.types import utcnow

    day = _date(until) if until else None
    target = None
    if to is not None:
        target = PHASE_NAMES.get(to)
        if target is None:
            fail(_("Unknown phase “{value}”: write one of {known}.").format(value=to, known=", ".join(PHASE_NAMES)))
    if move == "reopen" and len(reason.strip()) < 3:
        fail(_('Give the reason (at least 3 characters) with --reason "…".'))
    now = utcnow()
    # what is not finished yet (units not submitted, items waiting, objections open): said first
    warning = (
        ""
        if move == "reopen"
        else move_warning(run_with_db(lambda db, _cfg: move_check(db, SYSTEM, period, move, now=now)), ask=False)
    )
    if warning:
        typer.echo(warning)
    if not yes:
        info = run_with_db(lambda db, _cfg: get_period(db, period))
        when = day or default_until(info, move, now)
        question = _move_question(info, move, when, target)
        if move == "provisional" and day is None and when == full_feedback_window(local_date(now)):
            window = _("({days} working days counted from the day the provisional results are published)")
            question = f"{question.removesuffix('.')} {window.format(days=FEEDBACK_WORKING_DAYS)}."
        if not _confirm(question):
            typer.echo(_("Nothing was changed."))
            raise typer.Exit(1)
    if legacy:
        info = run_with_db(lambda db, _cfg: change_state(db, SYSTEM, period, move, reason, now=now))
        _say(info)
        typer.echo(phase_line(info, local_date(now)))
        return
    moved = run_with_db(
        lambda db, _cfg: move_phase(
            db, SYSTEM, period, move, reason=reason, until=day, to=target, via="cli", now=now, render=results_notice
        )
    )
    _say(moved.period)
    typer.echo(phase_line(moved.period, local_date(now)))
    if moved.notified:
        typer.echo(_("{count} people were sent the results.").format(count=moved.notified))


def _move_question(info: PeriodInfo, move: str, day: date | None, target: str | None) -> str:
    when = vn_date(day) if day else "—"
    return {
        "start": _("Open the self-assessment of period {id} ({title})? Focal points can answer until {deadline}."),
        "appraisal": _(
            "Move period {id} ({title}) to appraisal? Answers become read-only; items sent back can be "
            "supplemented until {date}."
        ),
        "provisional": _(
            "Publish the provisional results of period {id} ({title})? Every unit's focal points and leaders "
            "are told their points and rank; objections until {date}."
        ),
        "final": _(
            "Publish the final results of period {id} ({title})? The period is locked and every unit is told "
            "its final rank."
        ),
        "reopen": _("Take period {id} ({title}) back to {phase}? The reason is recorded."),
    }[move].format(
        id=info.id,
        title=info.title,
        deadline=vn_date(info.deadline),
        date=when,
        phase=period_state_label(target or _previous(info.state)),
    )


def _previous(state: str) -> str:
    from bot.services.campaign.periods import REOPEN_TO

    return REOPEN_TO.get(state, state)


_PERIOD = Annotated[int, typer.Option(help="Period id (see `period list`).")]
_YES = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (for scripts).")]
_REASON = Annotated[str, typer.Option(help="Why (recorded).")]


@app.command("start")
def start_cmd(period: _PERIOD, yes: _YES = False, reason: _REASON = "") -> None:
    """Open the self-assessment of a period prepared as a draft."""
    _move(period, "start", reason=reason, yes=yes)


@app.command("appraisal")
def appraisal_cmd(
    period: _PERIOD,
    until: Annotated[
        str | None, typer.Option(help="Last day for supplements, YYYY-MM-DD (default: 15 working days on).")
    ] = None,
    reason: _REASON = "",
    yes: _YES = False,
) -> None:
    """Close the self-assessment and start the appraisal (answers read-only except items sent back)."""
    _move(period, "appraisal", reason=reason, until=until, yes=yes)


@app.command("provisional")
def provisional_cmd(
    period: _PERIOD,
    until: Annotated[
        str | None,
        typer.Option(
            help="Last day for objections, YYYY-MM-DD (default: 5 working days from the day the results are published)."
        ),
    ] = None,
    reason: _REASON = "",
    yes: _YES = False,
) -> None:
    """Publish provisional results: every unit is told its points and rank and may object until --until."""
    _move(period, "provisional", reason=reason, until=until, yes=yes)


@app.command("final")
def final_cmd(period: _PERIOD, reason: _REASON = "", yes: _YES = False) -> None:
    """Publish the final results and lock the period; every unit is told its final rank."""
    _move(period, "final", reason=reason, yes=yes)


@app.command("reopen")
def reopen_cmd(
    period: _PERIOD,
    reason: Annotated[str, typer.Option(help="Why the period goes back (recorded; required).")],
    to: Annotated[
        str | None, typer.Option(help="self-assessment, appraisal or provisional (default: the previous phase).")
    ] = None,
    yes: _YES = False,
) -> None:
    """Take a period back to an earlier phase (the reason is recorded)."""
    _move(period, "reopen", reason=reason, to=to, yes=yes)


@app.command("lock")
def lock_cmd(period: _PERIOD) -> None:
    """Lock a period: answers become read-only (the appraisal starts; same as `period appraisal`)."""
    _move(period, "lock", legacy=True)


@app.command("unlock")
def unlock_cmd(
    period: _PERIOD, reason: Annotated[str, typer.Option(help="Why the period opens again (recorded; required).")]
) -> None:
    """Reopen a locked period for answers (the reason is recorded)."""
    _move(period, "unlock", reason=reason, legacy=True)


@app.command("publish")
def publish_cmd(
    period: Annotated[int, typer.Option(help="Period id (see `period list`).")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (for scripts).")] = False,
) -> None:
    """Publish a period's results. A period still open (not locked, not appraised) asks first."""
    from bot.services.access import SYSTEM
    from bot.services.campaign.periods import change_state, get_period
    from storage.types import utcnow

    info = run_with_db(lambda db, _cfg: get_period(db, period))
    if info.state == "open" and not yes:
        question = _(
            "Period {id} ({title}) is still open: units can still change their answers and the appraisal "
            "has not been closed by locking it. Publish its results anyway?"
        ).format(id=info.id, title=info.title)
        if not _confirm(question):
            typer.echo(_("Nothing was published."))
            raise typer.Exit(1)
    _say(run_with_db(lambda db, _cfg: change_state(db, SYSTEM, period, "publish", now=utcnow())))


@app.command("unpublish")
def unpublish_cmd(
    period: Annotated[int, typer.Option(help="Period id (see `period list`).")],
    reason: Annotated[str, typer.Option(help="Why the results are taken back (recorded).")],
) -> None:
    """Take back a period's published results: the period is locked again (the reason is recorded)."""
    from bot.services.access import SYSTEM
    from bot.services.campaign.periods import change_state
    from storage.types import utcnow

    _say(run_with_db(lambda db, _cfg: change_state(db, SYSTEM, period, "unpublish", reason, now=utcnow())))


@app.command("deadline")
def deadline_cmd(
    period: Annotated[int, typer.Option(help="Period id (see `period list`).")],
    new_date: Annotated[str, typer.Option("--date", help="New last day for answers, YYYY-MM-DD (local time).")],
    reason: Annotated[str, typer.Option(help="Why the deadline moves (recorded).")] = "",
) -> None:
    """Change a period's deadline (reminders follow it at once)."""
    from bot.services.access import SYSTEM
    from bot.services.campaign.periods import set_deadline

    last_day = _date(new_date)
    old, info = run_with_db(lambda db, _cfg: set_deadline(db, SYSTEM, period, last_day, reason))
    typer.echo(
        _("Deadline of period {id} moved: {old} → {new}.").format(
            id=info.id, old=vn_date(old), new=vn_date(info.deadline)
        )
    )
    _say(info)


def _confirm(question: str) -> bool:
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:  # end of input: no answer is no
        typer.echo()
        return False


@app.command("list")
def list_cmd(
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
) -> None:
    """List periods."""
    from bot.services.campaign.periods import list_periods

    periods = run_with_db(lambda db, _cfg: list_periods(db))
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([p.as_dict() for p in periods], ensure_ascii=False, indent=2))
        return
    headers = [_("Id"), _("Framework"), _("Year"), _("Title"), _("State"), _("Deadline")]
    rows = [
        [str(p.id), p.framework, str(p.year), p.title, period_state_label(p.state), vn_date(p.deadline)]
        for p in periods
    ]
    print_table(headers, rows)


@results_app.command("import")
def results_import_cmd(
    period: Annotated[int, typer.Option(help="Period id.")],
    file: Annotated[Path, typer.Argument(help="CSV: unit_code,unit_name,cohort,<index code>… (values 0..1).")],
) -> None:
    """Import published index values of a period (replacing earlier ones)."""
    from bot.services.access import SYSTEM
    from bot.services.results.results_import import import_results

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(_("Cannot read the file {path}: {error}").format(path=file, error=exc.strerror or exc))
    report = run_with_db(lambda db, _cfg: import_results(db, SYSTEM, period, data, source=file.name))
    typer.echo(_("Imported {values} values for {units} units.").format(values=report.values, units=report.units))


@app.command("reminders")
def reminders_cmd(
    period: Annotated[int, typer.Option(help="Period id.")],
    days_before: Annotated[str | None, typer.Option(help="Days before the deadline, e.g. 7,3,1,0.")] = None,
    overdue_every: Annotated[int | None, typer.Option(help="While overdue, every N working days (0: never).")] = None,
    start: Annotated[str | None, typer.Option(help="Working hours start, HH:MM.")] = None,
    end: Annotated[str | None, typer.Option(help="Working hours end, HH:MM.")] = None,
    weekdays: Annotated[str | None, typer.Option(help="Sending days, 0=Monday … 6=Sunday, e.g. 0,1,2,3,4.")] = None,
) -> None:
    """Show or change a period's reminder policy (only the options given change)."""
    from bot.services.access import SYSTEM
    from bot.services.campaign.reminder_policy import checked_policy, set_policy

    def numbers(text: str | None) -> list[int] | None:
        if text is None:
            return None
        try:
            return [int(x) for x in text.split(",") if x.strip()]
        except ValueError:
            fail(_("Write numbers separated by commas, e.g. 7,3,1,0."))

    try:
        changes = checked_policy(numbers(days_before), overdue_every, start, end, numbers(weekdays))
    except ServiceError as exc:
        fail(service_error(exc))
    policy = run_with_db(lambda db, _cfg: set_policy(db, SYSTEM, period, changes))
    typer.echo(
        _(
            "Reminders of period {period}: {days} days before the deadline; every {every} working days when "
            "overdue; {start}–{end} on days {weekdays} (0 = Monday)."
        ).format(
            period=period,
            days=", ".join(map(str, policy["days_before"])),
            every=policy["overdue_every_working_days"],
            start=policy["start"],
            end=policy["end"],
            weekdays=",".join(map(str, policy["weekdays"])),
        )
    )
