"""Online backups and restores. SQLite: the sqlite3 backup API, consistent while the bot keeps
writing; a restore that sets the old database aside with its -wal/-shm and puts a checked, migrated
copy in its place. PostgreSQL: pg_dump (custom format) and pg_restore --clean --if-exists --no-owner
in one transaction, run for the operator when they are installed (else their commands are printed);
the password goes to them in PGPASSWORD, never on a command line that `ps` shows."""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from alembic.util import CommandError as AlembicError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import alembic_config, head_revision, upgrade


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


# --- PostgreSQL ------------------------------------------------------------------------------------


class BackupError(Exception):
    """pg_dump failed; `problem` is the last line it wrote (it never holds the password)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def pg_tool(name: str) -> str | None:
    """pg_dump or pg_restore: from PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(path).parent.parent.name)) or (0,)

    return max(candidates, key=version) if candidates else None


def pg_environment(url: str) -> dict[str, str]:
    """The connection as libpq variables (PGHOST…PGPASSWORD) for pg_dump and pg_restore."""
    u = make_url(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for name, value in (
        ("PGHOST", u.host),
        ("PGPORT", str(u.port) if u.port else None),
        ("PGUSER", u.username),
        ("PGPASSWORD", u.password),
        ("PGDATABASE", u.database),
    ):
        if value:
            env[name] = value
    ssl = u.query.get("sslmode") or u.query.get("ssl")
    if isinstance(ssl, str) and ssl:
        env["PGSSLMODE"] = ssl
    return env


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def backup_postgres(url: str, target: Path, pg_dump: str) -> int:
    """`pg_dump --format=custom` of the database into `target` (readable by its owner only, written
    whole or not at all); returns its size in bytes. BackupError when pg_dump fails."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    previous = os.umask(0o077)
    try:
        done = subprocess.run(
            [pg_dump, "--format=custom", f"--file={tmp}"],
            env=pg_environment(url),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    finally:
        os.umask(previous)
    if done.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise BackupError(_last_line(done.stderr))
    tmp.chmod(0o600)
    with tmp.open("rb+") as fh:
        os.fsync(fh.fileno())
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


# --- Restore ---------------------------------------------------------------------------------------
# Copying a backup over `dti.db` is not a restore: a crashed bot leaves `dti.db-wal` behind, and
# SQLite replays it into whatever file it finds under that name (rows written after the backup come
# back, or the pages no longer fit together). A restore moves the old database *with* its -wal/-shm
# aside (never deleting them), and puts in place a copy that was checked and migrated first.

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


class RestoreError(Exception):
    """A restore refused or failed; `reason` is a stable code the CLI words for the operator.
    Raised before the old database was touched, unless the reason says otherwise."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class StagedRestore:
    """A checked, migrated copy of the backup, next to the database and not yet in its place."""

    backup: Path
    target: Path
    staged: Path
    size: int
    revision: str  # the backup's schema revision
    migrated_to: str  # after the migrations


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    aside: Path | None  # where the old database and its -wal/-shm went (None: there was none)
    moved: list[str]  # the file names moved aside
    integrity: str  # "ok", or the first problem SQLite reported
    revision: str


def side_files(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in SIDE_SUFFIXES]


def sqlite_check(path: Path) -> tuple[str, str | None]:
    """`PRAGMA integrity_check` of a SQLite file ("ok" or the first problem) and its schema revision
    (None: no alembic_version table). sqlite3.DatabaseError if SQLite cannot read it at all."""
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, isolation_level=None)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
        integrity = "ok" if rows == [("ok",)] else str(rows[0][0] if rows else "no answer")
        if integrity != "ok":
            return integrity, None
        has_versions = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if not has_versions:
            return integrity, None
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return integrity, row[0] if row else None
    finally:
        connection.close()


def _remove(path: Path) -> None:
    for leftover in [path, *side_files(path)]:
        leftover.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _take_owner_and_mode(staged: Path, target: Path) -> None:
    """The copy gets the old database's mode and, when run as root, its owner: a restore run with
    sudo must not leave the bot's user a file it cannot write."""
    if not target.exists():
        umask = os.umask(0)
        os.umask(umask)
        staged.chmod(0o666 & ~umask)
        return
    old = target.stat()
    staged.chmod(old.st_mode & 0o7777)
    if os.geteuid() == 0:
        os.chown(staged, old.st_uid, old.st_gid)


def _known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except AlembicError:
        return False


async def stage_restore(backup: Path, url: str) -> StagedRestore:
    """Check `backup` and prepare a migrated copy of it next to the database of `url`. Touches
    neither the backup nor the database; on any failure the copy is removed (RestoreError)."""
    target = sqlite_path(url).resolve()
    backup = Path(backup).resolve()
    if not backup.is_file():
        raise RestoreError("backup_missing", path=str(backup))
    if backup == target:
        raise RestoreError("backup_is_target", path=str(backup))
    with backup.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise RestoreError("backup_not_sqlite", path=str(backup))
    wal = backup.with_name(backup.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        # Part of that backup's data may be in its -wal: copying the file alone would lose it.
        raise RestoreError("backup_has_wal", path=str(backup), wal=str(wal))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.restore-", suffix=".part")
    os.close(fd)
    staged = Path(name)
    try:
        shutil.copyfile(backup, staged)
        _take_owner_and_mode(staged, target)
        size = staged.stat().st_size
        try:
            integrity, revision = sqlite_check(staged)
        except sqlite3.DatabaseError as exc:
            raise RestoreError("backup_corrupt", path=str(backup), problem=str(exc)) from None
        if integrity != "ok":
            raise RestoreError("backup_corrupt", path=str(backup), problem=integrity)
        if revision is None:
            raise RestoreError("backup_not_dti", path=str(backup))
        if not _known_revision(revision):
            raise RestoreError("backup_newer", path=str(backup), revision=revision, head=head_revision())
        db = Database(f"sqlite+aiosqlite:///{staged}")
        try:
            await upgrade(db)
        finally:
            await db.dispose()
        connection = sqlite3.connect(staged, isolation_level=None)
        try:  # one self-contained file again: no -wal of the copy may be left behind by the rename
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode=DELETE")
        finally:
            connection.close()
        integrity, migrated_to = sqlite_check(staged)
        if integrity != "ok" or migrated_to is None or any(p.exists() for p in side_files(staged)):
            raise RestoreError("backup_corrupt", path=str(backup), problem=integrity)
        with staged.open("rb+") as fh:
            os.fsync(fh.fileno())
        return StagedRestore(backup, target, staged, size, revision, migrated_to)
    except BaseException:
        _remove(staged)
        raise


def discard_restore(staged: StagedRestore) -> None:
    _remove(staged.staged)


def _aside_folder(target: Path, stamp: str) -> Path:
    base = target.with_name(f"{target.name}.before-restore-{stamp}")
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def commit_restore(staged: StagedRestore, stamp: str) -> RestoreResult:
    """Move the old database and its -wal/-shm/-journal into `<name>.before-restore-<stamp>/`
    (their names kept, so that the folder opens as the old database), then rename the staged copy
    into place. The side files go first: a -wal must never sit alone next to the new file.
    Run only while no process has the database open (storage.lock)."""
    target = staged.target
    present = [p for p in [*side_files(target), target] if p.exists()]
    aside = _aside_folder(target, stamp) if present else None
    moved: list[Path] = []
    try:
        if aside is not None:
            aside.mkdir()
            for path in present:
                os.replace(path, aside / path.name)
                moved.append(path)
        os.replace(staged.staged, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        for path in reversed(moved):  # put back what was moved: the old database stays in place
            if aside is not None and not path.exists():
                os.replace(aside / path.name, path)
        raise RestoreError("restore_failed", error=str(exc)) from None
    try:
        integrity, revision = sqlite_check(target)
    except sqlite3.DatabaseError as exc:
        integrity, revision = str(exc), None
    return RestoreResult(target, aside, [p.name for p in moved], integrity, revision or "—")


PG_RESTORE_OPTIONS = ["--clean", "--if-exists", "--no-owner", "--single-transaction"]


def pg_dump_check(source: Path, pg_restore: str) -> None:
    """RestoreError unless `source` is a pg_dump archive that pg_restore can read."""
    source = Path(source)
    if not source.is_file():
        raise RestoreError("backup_missing", path=str(source))
    done = subprocess.run(
        [pg_restore, "--list", str(source)], stdin=subprocess.DEVNULL, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RestoreError("backup_not_pg_dump", path=str(source), problem=_last_line(done.stderr))
    if b" alembic_version " not in done.stdout:
        raise RestoreError("backup_not_dti", path=str(source))


async def other_sessions(db: Database) -> int:
    """Connections to the database other than this one (a bot still running, a psql left open)."""
    async with db.engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        )
    return int(found or 0)


def restore_postgres(url: str, source: Path, pg_restore: str) -> None:
    """pg_restore --clean --if-exists --no-owner in a single transaction: every table of the dump is
    dropped and recreated with the dump's rows, or, on any error, nothing changes at all."""
    done = subprocess.run(
        [pg_restore, *PG_RESTORE_OPTIONS, "--dbname", make_url(url).database or "", str(source)],
        env=pg_environment(url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RestoreError("restore_failed", error=_last_line(done.stderr))


def pg_restore_command(url: str, source: Path) -> str:
    u = make_url(url)
    parts = ["pg_restore", *PG_RESTORE_OPTIONS]
    if u.host:
        parts += ["-h", u.host]
    if u.port:
        parts += ["-p", str(u.port)]
    if u.username:
        parts += ["-U", u.username]
    parts += ["-d", u.database or "", shlex.quote(str(source))]
    return " ".join(parts)
