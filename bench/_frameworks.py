"""A synthetic national-scale framework (95 sub-indices, every method, 8 min-max) and answers for it."""

from __future__ import annotations

import random
from decimal import Decimal

from scoring import AnswerInput, UnitInput, parse_answer
from scoring.loader import load_framework_text
from scoring.model import Framework

METHODS = {
    "yes_no": "{type: yes_no}",
    "options": "{type: options, options: [{code: a, label: A, fraction: 1}, {code: b, label: B, fraction: 0.5},"
    " {code: c, label: C, fraction: 0}]}",
    "criteria": "{type: criteria}",
    "ratio": "{type: ratio, full_at: 0.8}",
    "count_tiers": "{type: count_tiers, tiers: [{min: 4, points: 10}, {min: 2, points: 5}, {min: 1, points: 2}]}",
    "external": "{type: external, input: value}",
}
CRITERIA = ", criteria: [{code: x, name: X, points: 4}, {code: y, name: Y, points: 6}]"
CYCLE = ["yes_no", "options", "criteria", "ratio", "count_tiers", "ratio", "yes_no", "options", "external"]


def national_framework(n_subs: int = 95, n_indices: int = 9, n_minmax: int = 8) -> Framework:
    per_index = [n_subs // n_indices + (1 if i < n_subs % n_indices else 0) for i in range(n_indices)]
    minmax_at = set(range(5, n_subs, n_subs // n_minmax)[:n_minmax])
    lines = ["id: bench", "title: Bench", f"total_points: {n_subs * 10}", "indices:"]
    k = 0
    for i, count in enumerate(per_index, 1):
        lines += [f"  - code: '{i}'", f"    name: Index {i}", f"    max_points: {count * 10}", "    sub_indices:"]
        for _ in range(count):
            kind = "minmax" if k in minmax_at else CYCLE[k % len(CYCLE)]
            method = "{type: minmax, variant: max_ratio}" if kind == "minmax" else METHODS[kind]
            extra = CRITERIA if kind == "criteria" else ""
            lines.append(
                f"      - {{code: 's{k}', name: S{k}, question: '?', max_points: 10, method: {method}{extra}}}"
            )
            k += 1
    return load_framework_text("\n".join(lines), "bench.yaml")


def raw_answer(kind: str, rng: random.Random) -> dict:
    if kind == "yes_no":
        return {"yes": rng.random() < 0.7}
    if kind == "options":
        return {"option": rng.choice("abc")}
    if kind == "criteria":
        return {"criteria": [c for c in "xy" if rng.random() < 0.6]}
    if kind == "ratio":
        b = rng.randint(1, 500)
        return {"a": rng.randint(0, b), "b": b}
    if kind == "count_tiers":
        return {"count": rng.randint(0, 6)}
    if kind == "minmax":
        return {"value": Decimal(rng.randint(0, 10000)) / 100}
    return {"value": Decimal(rng.randint(0, 1000)) / 1000}


def national_units(fw: Framework, n_units: int, seed: int = 7, answered: float = 0.9) -> list[UnitInput]:
    rng = random.Random(seed)
    units = []
    for u in range(n_units):
        answers = {}
        for sub in fw.sub_indices:
            if rng.random() < answered:
                parsed = parse_answer(sub, raw_answer(sub.method.kind, rng))
                verified = Decimal(rng.randint(0, 10)) if rng.random() < 0.1 else None
                answers[sub.code] = AnswerInput(parsed, verified)
        units.append(UnitInput(f"U{u:05d}", f"Unit {u}", "", {}, True, answers))
    return units
