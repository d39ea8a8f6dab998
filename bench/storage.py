"""Answer writes per second on SQLite and PostgreSQL: one transaction per answer (validate, upsert,
audit row), 50 concurrent writers, 4,000 answers over 200 units.

PostgreSQL is measured when DTI_TEST_POSTGRES_URL is set or tools/pg-test-server.sh can start one.
Run: make bench   (or .venv/bin/python bench/storage.py)
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.services.access import SYSTEM  # noqa: E402
from bot.services.admin.frameworks import framework_of  # noqa: E402
from bot.services.admin.units_import import import_units  # noqa: E402
from bot.services.assessment.answers import write_answer  # noqa: E402
from bot.services.campaign.periods import open_period  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import FrameworkVersion, Period  # noqa: E402
from storage.types import utcnow  # noqa: E402

UNITS, ANSWERS, WRITERS = 200, 4000, 50


async def measure(url: str) -> float:
    db = Database(url)
    await upgrade(db)
    rows = "".join(f"B{n:04d},Đơn vị {n},so-nganh\n" for n in range(UNITS))
    await import_units(db, SYSTEM, ("code,name,cohort\n" + rows).encode(), "units.csv", now=utcnow())
    period = await open_period(db, SYSTEM, "dongthap-1397-so", 2026, date(2026, 12, 31))
    async with db.session() as session:
        version = await session.get(FrameworkVersion, (await session.get(Period, period.id)).framework_version_id)
        unit_ids = [row[0] for row in (await session.execute(text("SELECT id FROM unit ORDER BY id"))).all()]
    framework = framework_of(version)
    subs = [s for s in framework.sub_indices if s.method.kind in ("ratio", "count_tiers", "yes_no")]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(ANSWERS):
        queue.put_nowait(n)

    async def writer() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            sub = subs[n % len(subs)]
            raw = {"ratio": {"a": n % 10, "b": 10}, "count_tiers": {"count": n % 5}, "yes_no": {"yes": n % 2 == 0}}[
                sub.method.kind
            ]
            async with db.lean() as sql:
                await write_answer(
                    sql,
                    period_id=period.id,
                    unit_id=unit_ids[n % UNITS],
                    sub=sub,
                    raw=raw,
                    person_id=None,
                    now=utcnow(),
                )

    start = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    elapsed = time.perf_counter() - start
    await db.dispose()
    return ANSWERS / elapsed


async def reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def postgres_url() -> str | None:
    url = os.environ.get("DTI_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        out = subprocess.run(
            [str(ROOT / "tools" / "pg-test-server.sh"), "start"], capture_output=True, text=True, timeout=60, check=True
        )
        return out.stdout.strip() or None
    except (subprocess.SubprocessError, OSError):
        return None


async def main() -> int:
    print(f"storage: {ANSWERS} answer writes (one transaction each, with audit row), {WRITERS} concurrent writers")
    with tempfile.TemporaryDirectory() as tmp:
        rate = await measure(f"sqlite+aiosqlite:///{tmp}/bench.db")
    print(f"  SQLite (WAL):        {rate:8.0f} answers/s")
    url = postgres_url()
    if url:
        await reset_postgres(url)
        rate = await measure(url)
        await reset_postgres(url)
        print(f"  PostgreSQL (asyncpg): {rate:7.0f} answers/s")
    else:
        print("  PostgreSQL: not measured (no server; install postgresql or set DTI_TEST_POSTGRES_URL)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
