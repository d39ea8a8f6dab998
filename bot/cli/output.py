"""Small helpers for commands: errors on stderr with exit code 2, tables on stdout."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

INPUT_ERROR = 2


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def fail(message: str, code: int = INPUT_ERROR) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None) -> None:
    table = Table(title=title, show_lines=False)
    for header in headers:
        table.add_column(header)
    for row in rows:
        table.add_row(*row)
    Console().print(table)
