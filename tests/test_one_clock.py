"""One clock and one timezone: use cases take `now` from their caller (the composition root's
Clock, or a test's instant) and never read the machine's clock; handlers take it from the `clock`
the dispatcher hands them; only bot.campaign_calendar names the campaign's timezone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READS_THE_CLOCK = re.compile(r"\butcnow\(\)|\bdatetime\.now\(|\bdate\.today\(|\btime\.time\(\)")
NAMES_A_TIMEZONE = re.compile(r"ZoneInfo\(\s*[\"']Asia/Ho_Chi_Minh|[\"']Asia/Ho_Chi_Minh[\"']")


def offenders(folders: list[str], pattern: re.Pattern[str], allowed: set[str] = frozenset()) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if name in allowed:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line.split("#", 1)[0]):
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_use_cases_and_handlers_never_read_the_machines_clock():
    assert offenders(["bot/services", "bot/handlers", "bot/render"], READS_THE_CLOCK) == []


def test_only_the_campaign_calendar_names_the_timezone():
    assert offenders(["bot", "storage"], NAMES_A_TIMEZONE, {"bot/campaign_calendar.py"}) == []


def test_the_check_finds_what_it_looks_for():
    assert READS_THE_CLOCK.search("    now = now or utcnow()")
    assert READS_THE_CLOCK.search("datetime.now(VN_TZ).date()")
    assert NAMES_A_TIMEZONE.search('VN = ZoneInfo("Asia/Ho_Chi_Minh")')
    assert not READS_THE_CLOCK.search("clock.now()")
