"""Every hand-written statement (storage.lean) compiles against the migrated schema on both engines,
and the hot-path modules write no SQL outside the registry: a renamed column or a misspelt state
fails here, not in a focal point's chat."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import bot.services
import storage
from storage.lean import STATEMENTS, Statement

ROOT = Path(__file__).resolve().parents[2]
RUNS = {"rows", "row", "value", "run", "insert"}
# Statements of the update pipeline, owned there; to be declared with `statement()` like the rest.
NOT_YET_DECLARED = {"storage/updates.py"}


def _declaring_modules() -> list[str]:
    names = []
    for package in (bot.services, storage):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in info.name:
                names.append(info.name)
    return names


def every_statement() -> list[Statement]:
    for name in _declaring_modules():
        importlib.import_module(name)
    return list(STATEMENTS)


def test_the_hot_path_declares_its_statements_in_the_registry():
    origins = {s.origin for s in every_statement()}
    assert {
        "bot.services.access",
        "bot.services.assessment.answers",
        "bot.services.assessment.context",
        "bot.services.assessment.evidence",
        "bot.services.assessment.flow",
    } <= origins


def _literal_sql(path: Path, root: Path = ROOT) -> list[str]:
    """Calls like `sql.rows("SELECT …")`: SQL written where it runs, out of the registry's sight."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS):
            continue
        receiver = ast.unparse(node.func.value)
        if not (receiver.endswith("sql") or receiver.endswith("lean")) or not node.args:
            continue
        first = node.args[0]
        if isinstance(first, ast.JoinedStr | ast.BinOp) or (
            isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.strip() != "SELECT 1"
        ):
            found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


def test_no_use_case_or_storage_module_runs_sql_that_is_not_declared():
    paths = [*(ROOT / "bot" / "services").rglob("*.py"), *(ROOT / "storage").glob("*.py")]
    undeclared = [
        where
        for path in paths
        if path.relative_to(ROOT).as_posix() not in NOT_YET_DECLARED | {"storage/lean.py"}
        for where in _literal_sql(path)
    ]
    assert undeclared == []


def test_the_literal_sql_finder_finds_sql_written_in_place(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'async def f(ctx):\n    await ctx.sql.rows(f"SELECT {x} FROM unit")\n    await ctx.sql.run(DECLARED)\n',
        encoding="utf-8",
    )
    assert _literal_sql(sample, tmp_path) == ["sample.py:2"]


async def test_every_declared_statement_compiles_against_the_migrated_schema(db):
    failures = []
    for declared in every_statement():
        try:
            async with db.lean(write=False) as sql:
                await sql.prepare(declared)
        except Exception as error:  # every failing statement is reported at once
            failures.append(f"{declared.origin}: {declared.template[:60]}…: {type(error).__name__}: {error}")
    assert failures == []


async def test_a_statement_naming_a_column_the_schema_lacks_does_not_compile(db):
    wrong = Statement("SELECT no_such_column FROM answer WHERE id = :id")
    with pytest.raises(Exception, match="no_such_column"):
        async with db.lean(write=False) as sql:
            await sql.prepare(wrong)
