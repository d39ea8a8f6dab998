"""Scoring at national scale: 4,500 units × 95 sub-indices (8 min-max), full recompute with ranking.

Targets on the 2-core machine: full recompute < 1 s; one unit's rank and weakest items < 5 ms.
Run: make bench   (or .venv/bin/python bench/scoring.py)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._frameworks import national_framework, national_units
from scoring import score_all, weakest_sub_indices
from scoring.analysis import what_if

N_UNITS = 4500


def main() -> int:
    fw = national_framework()
    units = national_units(fw, N_UNITS)
    n_answers = sum(len(u.answers) for u in units)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        cohorts = score_all(fw, units)
        timings.append(time.perf_counter() - start)
    cohort = cohorts[""]
    lookups = []
    for unit in units[:: N_UNITS // 200]:
        start = time.perf_counter()
        entry = cohort.entry(unit.code)
        _rank = entry.rank
        _weakest = weakest_sub_indices(entry.result.subs.values(), limit=5)
        lookups.append(time.perf_counter() - start)
    whatifs = []
    for unit in units[:: N_UNITS // 20]:
        entry = cohort.entry(unit.code)
        codes = [s.code for s in weakest_sub_indices(entry.result.subs.values(), limit=3)]
        start = time.perf_counter()
        what_if(fw, cohort, unit.code, codes)
        whatifs.append(time.perf_counter() - start)
    full = min(timings)
    lookup_p95 = sorted(lookups)[int(len(lookups) * 0.95)]
    print(f"scoring: {N_UNITS} units × {len(fw.sub_indices)} sub-indices ({n_answers} answers, 8 min-max)")
    print(
        f"  full recompute with ranking: best {full * 1000:.0f} ms, median {statistics.median(timings) * 1000:.0f} ms"
        f"  (target < 1000 ms) {'OK' if full < 1 else 'MISSED'}"
    )
    print(
        f"  rank + 5 weakest of one unit: p95 {lookup_p95 * 1000:.3f} ms (target < 5 ms) "
        f"{'OK' if lookup_p95 < 0.005 else 'MISSED'}"
    )
    print(f"  what-if (top 3 items at full): median {statistics.median(whatifs) * 1000:.2f} ms")
    return 0 if full < 1 and lookup_p95 < 0.005 else 1


if __name__ == "__main__":
    sys.exit(main())
