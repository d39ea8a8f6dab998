"""What each kind of answer costs a focal point, measured through the real bot (tests/e2e/taps.py).
With DTI_TAPS_TABLE=<file> the table is written there (the issue's before/after table)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.harness import BotProcess
from tests.e2e.taps import NEW_PATHS, SCENARIOS, CountingPerson, live_button_messages, run_scenario, table


async def test_each_answer_kind_is_measured_in_taps_and_messages(bot: BotProcess, campaign, http, emulator):
    lan = CountingPerson(http, emulator.url, 710301, "Nguyễn Thị Lan")
    await lan.send(f"/start {await campaign.invite('SNV')}")
    await lan.expect("Sở Nội vụ")
    await lan.press("Tự đánh giá")
    await lan.expect("1.1 ")
    scenarios = SCENARIOS + NEW_PATHS  # the new paths were refused before issue 14 (point 2)
    rows = [await run_scenario(lan, code, following, steps, kind) for kind, code, following, steps in scenarios]
    if os.environ.get("DTI_TAPS_TABLE"):
        Path(os.environ["DTI_TAPS_TABLE"]).write_text(
            table(rows, os.environ.get("DTI_TAPS_TITLE", "Taps per item"), live_button_messages(lan))
        )
    by_kind = {r.kind: r for r in rows}
    assert by_kind["yes/no"].taps == 2 and by_kind["number"].typed == 1
    for row in rows:  # taps edit the card; typed input and files get one short message each, no more
        assert row.new_messages <= row.typed + row.uploads, row
    assert live_button_messages(lan) == 1  # one live card: every older card lost its buttons
