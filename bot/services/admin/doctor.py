"""Health checks for an operator: each returns a finding; `dti-bot doctor` prints them."""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.services.admin.evidence_check import verify_evidence
from storage.db import Database
from storage.files import EvidenceStore
from storage.migrate import current_revision, head_revision

OK, WARN, FAIL = "ok", "warn", "fail"
TOKEN_SHAPE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{20,}$")
MIN_FREE_BYTES = 200 * 1024 * 1024
LOW_FREE_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    check: str  # settings, token, database, integrity, migrations, data_dir, disk, evidence, bot_api, webhook
    level: str  # ok, warn, fail
    reason: str  # a stable code the CLI words in Vietnamese
    details: dict[str, Any] = field(default_factory=dict)


def check_token(token: str | None) -> Finding:
    if not token:
        return Finding("token", FAIL, "token_missing")
    if not TOKEN_SHAPE.match(token):
        return Finding("token", FAIL, "token_malformed")
    return Finding("token", OK, "token_present")


def check_data_dir(data_dir: Path) -> list[Finding]:
    findings = []
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-", delete=True) as probe:
            probe.write(b"x")
            probe.flush()
        findings.append(Finding("data_dir", OK, "data_dir_writable", {"path": str(data_dir)}))
    except OSError as exc:
        return [Finding("data_dir", FAIL, "data_dir_not_writable", {"path": str(data_dir), "error": str(exc)})]
    free = shutil.disk_usage(data_dir).free
    level = FAIL if free < MIN_FREE_BYTES else WARN if free < LOW_FREE_BYTES else OK
    findings.append(Finding("disk", level, "disk_free", {"free_mb": free // (1024 * 1024)}))
    return findings


def _corruption(db: Database, exc: BaseException) -> str | None:
    """SQLite's own words when `exc` means the file is damaged (not merely unreachable)."""
    orig = getattr(exc, "orig", exc)
    if db.is_sqlite and isinstance(orig, sqlite3.DatabaseError) and not isinstance(orig, sqlite3.OperationalError):
        return str(orig)
    return None


async def check_integrity(db: Database) -> Finding | None:
    """`PRAGMA integrity_check` reads every page of the SQLite file (None on PostgreSQL: its
    server has its own tools). Not in `doctor --quick`: a health check every minute should not."""
    if not db.is_sqlite:
        return None
    try:
        async with db.read_engine.connect() as conn:
            rows = (await conn.exec_driver_sql("PRAGMA integrity_check")).all()
    except Exception as exc:
        problem = _corruption(db, exc)
        if problem is None:
            raise
        return Finding("integrity", FAIL, "db_corrupt", {"problem": problem})
    if [tuple(row) for row in rows] == [("ok",)]:
        return Finding("integrity", OK, "db_intact")
    first = str(rows[0][0]) if rows else "?"
    return Finding("integrity", FAIL, "db_corrupt", {"problem": first.splitlines()[0][:200]})


async def check_database(db: Database, *, integrity: bool = True) -> list[Finding]:
    """The operator sees whether the database answers, is migrated to the code's schema and (with `integrity`) is
    undamaged."""
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the same to the operator: unreachable
        problem = _corruption(db, exc)
        if problem is not None:  # e.g. "file is not a database": the file is there but damaged
            return [Finding("integrity", FAIL, "db_corrupt", {"problem": problem})]
        return [Finding("database", FAIL, "db_unreachable", {"error": type(exc).__name__})]
    findings = [Finding("database", OK, "db_reachable", {"dialect": db.dialect})]
    if integrity and (found := await check_integrity(db)) is not None:
        findings.append(found)
        if found.level == FAIL:
            return findings  # further reads of a damaged file only fail in other words
    try:
        current, head = await current_revision(db), head_revision()
    except Exception as exc:
        problem = _corruption(db, exc)
        if problem is None:
            raise
        return [*findings, Finding("integrity", FAIL, "db_corrupt", {"problem": problem})]
    if current != head:
        if current is None:  # an empty database: `db upgrade` creates the schema only when told to
            findings.append(Finding("migrations", FAIL, "db_empty", {"head": head}))
        else:
            findings.append(Finding("migrations", FAIL, "db_not_migrated", {"current": current, "head": head}))
    else:
        findings.append(Finding("migrations", OK, "db_migrated", {"head": head}))
    return findings


async def check_evidence(db: Database, store: EvidenceStore, sample: int = 200) -> Finding:
    """The operator sees whether a sample of the stored evidence files is present and unchanged."""
    report = await verify_evidence(db, store, sample=sample)
    if report.ok:
        return Finding("evidence", OK, "evidence_ok", {"checked": report.checked})
    return Finding(
        "evidence",
        FAIL,
        "evidence_damaged",
        {"checked": report.checked, "missing": len(report.missing), "corrupt": len(report.corrupt)},
    )


def api_findings(
    me: dict[str, Any] | None, error: str | None, webhook: dict[str, Any] | None, expect_webhook: bool
) -> list[Finding]:
    if error == "unauthorized":
        return [Finding("bot_api", FAIL, "token_rejected")]
    if error is not None:
        return [Finding("bot_api", FAIL, "api_unreachable", {"error": error})]
    findings = [Finding("bot_api", OK, "api_reachable", {"username": (me or {}).get("username", "?")})]
    url = (webhook or {}).get("url", "")
    if url and not expect_webhook:
        findings.append(Finding("webhook", WARN, "webhook_set_while_polling", {"url": url}))
    elif expect_webhook and not url:
        findings.append(Finding("webhook", WARN, "webhook_not_set"))
    elif (webhook or {}).get("last_error_message"):
        findings.append(Finding("webhook", WARN, "webhook_errors", {"error": webhook["last_error_message"]}))
    else:
        findings.append(
            Finding("webhook", OK, "webhook_consistent", {"pending": (webhook or {}).get("pending_update_count", 0)})
        )
    return findings
