"""Small builders for service tests (real database, real framework files)."""

import atexit
import shutil
import sqlite3
import tempfile
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.services.access import SYSTEM
from bot.services.admin.units_import import import_units
from bot.services.campaign.periods import open_period
from bot.services.demo.seed import DemoReport, seed_demo
from storage.db import Database
from storage.files import EvidenceStore
from storage.migrate import upgrade
from storage.types import utcnow


async def department_period(db, units: int = 3, framework: str = "dongthap-1397-so"):
    rows = "".join(f"U{n:03d},Đơn vị {n},so-nganh,có\n" for n in range(units))
    await import_units(
        db, SYSTEM, ("code,name,cohort,has_public_services\n" + rows).encode(), "units.csv", now=utcnow()
    )
    return await open_period(db, SYSTEM, framework, 2026, date(2026, 11, 30))


_demo_templates: dict[tuple[date, datetime], tuple[Path, DemoReport]] = {}


async def demo_campaign(db: Database, store: EvidenceStore, *, now: datetime, today: date) -> DemoReport:
    """The demo province (`seed_demo`) in a test's database and evidence folder. Seeding takes most of a
    second, so on SQLite it is seeded once per test session (per `today` and minute of `now`) and the
    database and files are copied in; PostgreSQL is seeded anew."""
    if db.dialect != "sqlite":
        return await seed_demo(db, store, now=now, today=today)
    key = (today, now.replace(second=0, microsecond=0))
    if key not in _demo_templates:
        folder = Path(tempfile.mkdtemp(prefix="dti-demo-template-"))
        atexit.register(shutil.rmtree, folder, True)
        template = Database(f"sqlite+aiosqlite:///{folder / 'dti.db'}")
        await upgrade(template)
        report = await seed_demo(template, EvidenceStore(folder / "evidence"), now=now, today=today)
        await template.dispose()
        _demo_templates[key] = (folder, report)
    folder, report = _demo_templates[key]
    source, target = sqlite3.connect(folder / "dti.db"), sqlite3.connect(make_url(db.url).database)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    shutil.copytree(folder / "evidence", store.root, dirs_exist_ok=True)
    return report
