"""Small builders for service tests (real database, real framework files)."""

from datetime import date

from bot.services.periods import open_period
from bot.services.units_import import import_units


async def department_period(db, units: int = 3, framework: str = "dongthap-1397-so"):
    rows = "".join(f"U{n:03d},Đơn vị {n},so-nganh,có\n" for n in range(units))
    await import_units(db, ("code,name,cohort,has_public_services\n" + rows).encode(), "units.csv")
    return await open_period(db, framework, 2026, date(2026, 11, 30))
