from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import aiohttp
import pytest

from bot.services.access import SYSTEM
from bot.services.admin.invites import create_invites
from bot.services.admin.units_import import import_units
from bot.services.campaign.periods import open_period
from bot.services.demo.seed import seed_demo
from storage.db import Database, default_url
from storage.files import EvidenceStore
from storage.migrate import upgrade
from storage.types import utcnow
from tests.e2e.harness import BotProcess, Person, bot_env


@dataclass
class Campaign:
    db: Database
    period_id: int
    data_dir: object

    async def invite(self, unit: str | None, role: str = "focal_point") -> str:
        [issued] = await create_invites(self.db, SYSTEM, role, unit, now=utcnow())
        return issued.code


@pytest.fixture
async def campaign(tmp_path):
    data_dir = tmp_path / "data"
    db = Database(default_url(data_dir))
    await upgrade(db)
    units = (
        "code,name,cohort,has_public_services\n"
        "SNV,Sở Nội vụ,so-nganh,có\nSTP,Sở Tư pháp,so-nganh,có\nSYT,Sở Y tế,so-nganh,có\n"
    )
    await import_units(db, SYSTEM, units.encode(), "units.csv", now=utcnow())
    period = await open_period(
        db, SYSTEM, "dongthap-1397-so", 2026, date.today() + timedelta(days=10), "Đánh giá DTI 2026"
    )
    yield Campaign(db, period.id, data_dir)
    await db.dispose()


@pytest.fixture
async def bot(emulator, campaign, tmp_path):
    process = BotProcess(emulator.state, bot_env(campaign.data_dir, emulator.url), tmp_path / "bot.log")
    await process.start()
    yield process
    await process.stop()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def person(http, emulator):
    def make(user_id: int, name: str = "Nguyễn Thị Lan") -> Person:
        return Person(http, emulator.url, user_id, name)

    return make


@pytest.fixture
async def demo_bot(emulator, tmp_path):
    """The demo province in a real bot process (every persona of `dti-bot demo seed`), seeded for today."""
    data = tmp_path / "data"
    db = Database(default_url(data))
    await upgrade(db)
    await seed_demo(db, EvidenceStore(data / "evidence"), today=date.today(), now=utcnow())
    process = BotProcess(emulator.state, bot_env(data, emulator.url), tmp_path / "bot.log")
    await process.start()
    yield db
    await process.stop()
    await db.dispose()
