"""Hand-written SQL for the use cases that run on every message (the guided self-assessment).

Through the ORM a statement costs 100–300 µs of Python (building, compiling, identity map, unit of
work, a greenlet hop each way); a message took a dozen, which made the ORM the bot's largest cost.
Here a statement is a string with :named parameters, run on the driver's own connection: sqlite3
on the event loop's thread (storage.sqlite_inline) or asyncpg. Rows come back as tuples.

Values cross exactly as the ORM stores them (storage.types), so both paths read each other's rows:
instants in UTC (SQLite: naive text), Decimals as text, JSON as text, dates as ISO text on SQLite.

`Database.lean()` opens a transaction of its own; `lean_in(session)` runs on the connection of an
ORM session's transaction (it flushes the session's pending objects first, and tells the session
it wrote, for storage.updates).

Every statement is declared once, at import, with `statement(...)`: the registry `STATEMENTS` lets
tests/storage/test_lean_statements.py prepare each one on SQLite and PostgreSQL against the migrated
schema, so a renamed column or a misspelt table fails a test rather than a focal point's message.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.sqlite_inline import InlineConnection, is_busy, patiently

Params = Mapping[str, Any]
_NAMED = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):(\w+)")  # a quoted literal is left as it is
_SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format for DateTime on SQLite


@dataclass(eq=False)
class Statement:
    """A hand-written statement with :named parameters. The template may hold `{for_update}` (a
    SELECT that locks its rows on PostgreSQL) and, for each name in `json`, `{name}`: the text of a
    JSON column's top-level key, written in the dialect's own way. Its text is built once per dialect."""

    template: str
    json: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    origin: str = ""  # the module that declared it
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    def text(self, lean: Lean) -> str:
        known = self._texts.get(lean.dialect)
        if known is None:
            parts = {name: lean.json_text(column, key) for name, (column, key) in self.json.items()}
            known = self._texts[lean.dialect] = self.template.format(for_update=lean.for_update, **parts)
        return known

    @property
    def parameters(self) -> tuple[str, ...]:
        """The :named parameters, in order of first use."""
        return _to_positional(self.template)[1]


STATEMENTS: list[Statement] = []  # every statement declared so far (modules declare theirs at import)


def statement(template: str, **json: tuple[str, str]) -> Statement:
    """Declare a hand-written statement (at module level: see STATEMENTS)."""
    declared = Statement(template, json, sys._getframe(1).f_globals.get("__name__", ""))
    STATEMENTS.append(declared)
    return declared


class Lean:
    """One transaction's statements. Subclasses run them on SQLite or PostgreSQL."""

    dialect = ""
    for_update = ""  # appended to a SELECT that locks its rows (PostgreSQL only)

    def __init__(
        self, before: Callable[[], Awaitable[None]] | None = None, on_write: Callable[[], None] | None = None
    ) -> None:
        self.wrote = False
        self._before, self._on_write = before, on_write

    def note_write(self) -> None:
        """Called for every statement that writes (by hand after an INSERT … RETURNING run with
        `rows`/`row`)."""
        self.wrote = True
        if self._on_write is not None:
            self._on_write()

    async def rows(self, sql: str | Statement, params: Params | None = None) -> list[Sequence[Any]]:
        if self._before is not None:
            await self._before()
        return await self._rows(self._text(sql), params or {})

    async def row(self, sql: str | Statement, params: Params | None = None) -> Sequence[Any] | None:
        found = await self.rows(sql, params)
        return found[0] if found else None

    async def value(self, sql: str | Statement, params: Params | None = None) -> Any:
        found = await self.row(sql, params)
        return None if found is None else found[0]

    async def run(self, sql: str | Statement, params: Params | None = None) -> int:
        """A statement that writes; returns the number of rows it changed."""
        if self._before is not None:
            await self._before()
        self.note_write()
        return await self._run(self._text(sql), params or {})

    async def insert(self, sql: str | Statement, params: Params | None = None) -> Any:
        """An INSERT … RETURNING id; returns the id."""
        if self._before is not None:
            await self._before()
        self.note_write()
        found = await self._rows(self._text(sql), params or {})
        return found[0][0]

    def _text(self, sql: str | Statement) -> str:
        return sql if isinstance(sql, str) else sql.text(self)

    async def prepare(self, sql: str | Statement) -> None:
        """Have the database compile a statement against its schema without running it (raises
        the driver's error for an unknown table or column, a type mismatch, a syntax error)."""
        raise NotImplementedError

    async def _rows(self, sql: str, params: Params) -> list[Sequence[Any]]:
        raise NotImplementedError

    async def _run(self, sql: str, params: Params) -> int:
        raise NotImplementedError

    def json_text(self, column: str, key: str) -> str:
        """SQL for the text of a JSON column's top-level `key` (a constant, never user input)."""
        return f"({column} ->> '{key}')"

    # -- values, as storage.types keeps them --------------------------------------------------------
    def instant(self, value: datetime | None) -> Any:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime (UTC)")
        return value

    def read_instant(self, value: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def day(self, value: date | None) -> Any:
        return value

    def read_day(self, value: Any) -> date | None:
        return value

    @staticmethod
    def json(value: Any) -> str | None:
        return None if value is None else json.dumps(value)

    @staticmethod
    def read_json(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value

    @staticmethod
    def decimal(value: Decimal | None) -> str | None:
        return None if value is None else format(Decimal(value), "f")

    @staticmethod
    def read_decimal(value: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class SqliteLean(Lean):
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection, busy_timeout: float, **kw: Any) -> None:
        super().__init__(**kw)
        self._connection, self._busy_timeout = connection, busy_timeout

    # The statement runs at once; only if SQLite answers busy (another process holds the lock)
    # does it wait, without blocking the loop (storage.sqlite_inline.patiently).
    async def _rows(self, sql: str, params: Params) -> list[Sequence[Any]]:
        try:
            return self._connection.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        return await patiently(lambda: self._connection.execute(sql, params).fetchall(), self._busy_timeout)

    async def _run(self, sql: str, params: Params) -> int:
        try:
            return self._connection.execute(sql, params).rowcount
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise
        return (await patiently(lambda: self._connection.execute(sql, params), self._busy_timeout)).rowcount

    async def prepare(self, sql: str | Statement) -> None:
        text = self._text(sql)
        self._connection.execute("EXPLAIN " + text, dict.fromkeys(_to_positional(text)[1])).fetchall()

    def json_text(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def instant(self, value: datetime | None) -> Any:
        value = super().instant(value)
        return None if value is None else value.astimezone(UTC).strftime(_SQLITE_INSTANT)

    def read_instant(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

    def day(self, value: date | None) -> Any:
        return None if value is None else value.isoformat()

    def read_day(self, value: Any) -> date | None:
        return None if value is None else date.fromisoformat(value)


_positional: dict[str, tuple[str, tuple[str, ...]]] = {}


def _to_positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """`:name` parameters as asyncpg's `$1`, `$2`, … (computed once per statement text)."""
    known = _positional.get(sql)
    if known is None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            if match.group(1) is None:
                return match.group(0)
            if match.group(1) not in names:
                names.append(match.group(1))
            return f"${names.index(match.group(1)) + 1}"

        known = _positional[sql] = (_NAMED.sub(number, sql), tuple(names))
    return known


class PostgresLean(Lean):
    dialect = "postgresql"
    for_update = " FOR UPDATE"

    def __init__(self, connection: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self._connection = connection  # asyncpg.Connection

    async def _rows(self, sql: str, params: Params) -> list[Sequence[Any]]:
        text, names = _to_positional(sql)
        return await self._connection.fetch(text, *(params[n] for n in names))

    async def prepare(self, sql: str | Statement) -> None:
        await self._connection.prepare(_to_positional(self._text(sql))[0])

    async def _run(self, sql: str, params: Params) -> int:
        text, names = _to_positional(sql)
        status = await self._connection.execute(text, *(params[n] for n in names))
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0


async def lean_in(session: AsyncSession) -> Lean:
    """Lean statements inside an ORM session's (write) transaction."""
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection

    async def flush_first() -> None:
        if session.new or session.dirty or session.deleted:
            await session.flush()

    def note_write() -> None:
        session.info["wrote"] = True

    if isinstance(driver, InlineConnection):
        return SqliteLean(driver.sqlite, driver.busy_timeout, before=flush_first, on_write=note_write)
    if connection.dialect.name == "postgresql":
        if not driver.is_in_transaction():  # SQLAlchemy begins it at its first statement only
            await connection.exec_driver_sql("SELECT 1")
        return PostgresLean(driver, before=flush_first, on_write=note_write)
    raise TypeError("lean statements run in write sessions only (SQLite inline or PostgreSQL)")
