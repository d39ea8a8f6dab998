"""The data folder's process lock: a running bot holds it shared for its whole life; `dti-bot db
restore` takes it exclusively and so refuses while any bot runs on the same database.

It is an advisory `flock` on a small file next to the SQLite database (`dti.db` → `dti.lock`), or in
the data folder for PostgreSQL. The kernel releases it when the holder exits, even by SIGKILL, so a
crashed bot never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


class LockBusy(Exception):
    """Another process holds the lock in a mode that conflicts with the one asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def lock_path(url: str, data_dir: Path) -> Path:
    """Where the lock of the database at `url` lives."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return Path(parsed.database).resolve().with_suffix(".lock")
    return Path(data_dir).resolve() / "dti.lock"


@contextmanager
def data_lock(path: Path, *, exclusive: bool) -> Iterator[Path]:
    """Hold the lock at `path` (shared: bots; exclusive: a restore) without waiting: LockBusy if
    another process holds it in a conflicting mode. OSError if the file cannot be created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockBusy(path) from None
        yield path
    finally:
        os.close(fd)
