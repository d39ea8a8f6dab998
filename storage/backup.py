"""Online backups. SQLite: the sqlite3 backup API, consistent while the bot keeps writing.
PostgreSQL: pg_dump is the right tool; we print the command rather than reimplement it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError("not a file database")
    return Path(database)


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the live database to `target` page by page; returns the size in bytes."""
    source_path = sqlite_path(url)
    if not source_path.is_file():
        raise FileNotFoundError(source_path)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        dest = sqlite3.connect(tmp)
        try:
            source.backup(dest, pages=1024)
            dest.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
        finally:
            dest.close()
    finally:
        source.close()
    tmp.replace(target)
    return target.stat().st_size


def pg_dump_command(url: str, target: Path) -> str:
    u = make_url(url)
    parts = ["pg_dump", "--format=custom", f"--file={target}"]
    if u.host:
        parts.append(f"--host={u.host}")
    if u.port:
        parts.append(f"--port={u.port}")
    if u.username:
        parts.append(f"--username={u.username}")
    parts.append(u.database or "")
    return " ".join(parts)
