"""Small builders for service tests (real database, real framework files)."""

from datetime import date

from bot.services.admin.units_import import import_units
from bot.services.campaign.periods import open_period


async def department_period(db, units: int = 3, framework: str = "dongthap-1397-so"):
    rows = "".join(f"U{n:03d},Đơn vị {n},so-nganh,có\n" for n in range(units))
    await import_units(db, ("code,name,cohort,has_public_services\n" + rows).encode(), "units.csv")
    return await open_period(db, framework, 2026, date(2026, 11, 30))
