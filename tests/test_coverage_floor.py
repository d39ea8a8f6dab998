"""The coverage floor check (tools/coverage_floor.py, `make coverage`) sums lines per package and fails
a package under its floor."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("coverage_floor", ROOT / "tools" / "coverage_floor.py")
coverage_floor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(coverage_floor)


def report(**files: tuple[int, int]) -> dict:
    return {
        "files": {
            path.replace("__", "/") + ".py": {"summary": {"covered_lines": c, "num_statements": n}}
            for path, (c, n) in files.items()
        }
    }


def test_a_file_counts_for_the_longest_package_that_holds_it():
    assert coverage_floor.package_of("bot/services/access.py") == "bot/services"
    assert coverage_floor.package_of("bot/app.py") == "bot"
    assert coverage_floor.package_of("tools/x.py") is None


def test_lines_are_summed_per_package_and_a_package_under_its_floor_fails():
    lines = coverage_floor.check(
        report(scoring__unit=(95, 100), scoring__cohort=(5, 100), bot__services__access=(90, 100))
    )
    assert lines[0].startswith("ok   bot/services") and "90.0 %" in lines[0]
    assert lines[1].startswith("FAIL scoring") and "50.0 %" in lines[1]


def test_every_package_at_or_above_its_floor_passes(tmp_path):
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(report(scoring__unit=(100, 100))), encoding="utf-8")
    assert coverage_floor.main(["coverage_floor", str(path)]) == 0
