"""Small helpers for commands: errors on stderr with exit code 2, tables on stdout."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import NoReturn

import typer

from bot.i18n import _

INPUT_ERROR = 2


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def fail(message: str, code: int = INPUT_ERROR) -> NoReturn:
    """Say what went wrong in one line on stderr and exit (code 2: the input or the setup is wrong).
    Once `run` has set up JSON logs, the line is logged instead: every line it writes is JSON."""
    if message and json_logging():
        logging.getLogger("bot.cli").error(message)
    else:
        typer.echo(message, err=True)
    raise typer.Exit(code)


def json_logging() -> bool:
    """The process's logs are JSON lines (`dti-bot run` with DTI_LOG_JSON)."""
    from bot.logs import JsonFormatter

    return any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None) -> None:
    from rich.console import Console  # imported when a table is printed: `dti-bot --help` stays fast
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


# Errors of the command line itself (a mistyped command or option, a missing or bad value), said in one
# Vietnamese line instead of click's English panel. typer bundles click as typer._click; these
# functions are only called on an error, so the import stays out of every command's start.


def usage_error_line(exc: Exception) -> str:
    """A usage error (typer._click.exceptions.UsageError) as one line that says where to look."""
    from typer._click.exceptions import BadOptionUsage, BadParameter, MissingParameter, NoSuchOption

    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "dti-bot"
    message = str(getattr(exc, "message", "") or "")
    if isinstance(exc, NoSuchOption):
        line = _("{command} has no option {option}.").format(command=command, option=exc.option_name)
        if exc.possibilities:
            line += " " + _("Did you mean {options}?").format(options=", ".join(sorted(exc.possibilities)))
    elif isinstance(exc, MissingParameter):
        line = _("{name} is missing.").format(name=_param_name(exc.param))
    elif isinstance(exc, BadParameter):
        line = _bad_value_line(exc)
    elif isinstance(exc, BadOptionUsage) and "requires an argument" in message:
        line = _("{option} needs a value.").format(option=exc.option_name)
    elif match := re.match(r"No such command '(.*)'\.", message):
        line = _("{command} has no command “{name}”.").format(command=command, name=match.group(1))
        if suggestion := re.search(r"Did you mean (.*)\?", message):
            line += " " + _("Did you mean {options}?").format(options=suggestion.group(1).replace("'", ""))
    elif message == "Missing command.":
        line = _("A command is missing after {command}.").format(command=command)
    elif match := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message):
        line = _("Unexpected words: {words}.").format(words=match.group(1))
    else:
        line = _("The command is not written correctly ({problem}).").format(problem=message.rstrip("."))
    return f"{line} " + _("See `{command} --help`.").format(command=command)


def _param_name(param: object) -> str:
    opts = list(getattr(param, "opts", None) or [])
    if getattr(param, "param_type_name", "") == "option" and opts:
        return _("Option {option}").format(option="/".join(opts))
    name = str(getattr(param, "name", "") or "").upper()
    return _("Argument {name}").format(name=name)


def _bad_value_line(exc: Exception) -> str:
    param = getattr(exc, "param", None)
    opts = list(getattr(param, "opts", None) or [])
    name = "/".join(opts) if getattr(param, "param_type_name", "") == "option" and opts else _param_name(param)
    errors = getattr(exc.__cause__, "errors", None)
    first = errors()[0] if callable(errors) and errors() else {}
    kind, value, text = first.get("type", ""), first.get("input"), str(first.get("msg", getattr(exc, "message", "")))
    if kind.startswith("int_"):
        expected = _("a whole number is expected")
    elif kind.startswith(("float_", "decimal_")):
        expected = _("a number is expected")
    elif kind.startswith("bool_"):
        expected = _("yes or no is expected")
    elif choices := re.search(r"is not one of (.*)\.$", text):
        expected = _("one of {choices} is expected").format(choices=choices.group(1).replace("'", ""))
    else:
        expected = text.removeprefix("Value error, ").rstrip(".")
    if isinstance(value, str):
        return _("The value “{value}” of {name} is not valid: {expected}.").format(
            value=value, name=name, expected=expected
        )
    return _("The value of {name} is not valid: {expected}.").format(name=name, expected=expected)


def unexpected_error_line(exc: BaseException, report: str | None) -> str:
    """An error no command expected (a bug, a broken installation), in one line; its traceback, without
    the data it quotes, is in the `report` file when one could be written."""
    from bot.logs import safe_exception_text

    reason = (safe_exception_text(exc).strip().splitlines() or [""])[0][:200]
    problem = f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__
    if report is None:
        return _("Unexpected error ({problem}): nothing more was done.").format(problem=problem)
    return _("Unexpected error ({problem}): nothing more was done. The details are in {path}.").format(
        problem=problem, path=report
    )
