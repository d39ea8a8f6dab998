"""Export at national scale: 4,500 units × 95 answers (about 430,000 answer rows), an evidence index
(one row per 4 answers) and one audit row per answer, exported by `dti-bot export` in a child
process. Reports the time and the child's peak RSS. Target: peak RSS under 300 MB.
Run: make bench   (or .venv/bin/python bench/export.py [--units N])
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench._frameworks import CRITERIA, CYCLE, METHODS  # noqa: E402
from bot.services.assessment.answers import to_json  # noqa: E402
from bot.services.demo.seed import sample_raw_answer  # noqa: E402
from scoring import parse_answer  # noqa: E402
from scoring.loader import load_framework_text  # noqa: E402
from storage.db import Database, default_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Answer, AnswerHistory, Evidence, FrameworkVersion, Period, Unit  # noqa: E402

CHUNK = 5000
CHILD = """
import atexit, runpy, sys
def report():
    status = open("/proc/self/status").read()
    sys.stderr.write("VmHWM " + status.split("VmHWM:")[1].split()[0] + "\\n")
atexit.register(report)
sys.argv = ["dti-bot", "export", *sys.argv[1:]]
runpy.run_module("bot", run_name="__main__")
"""


def framework_yaml(n_subs: int = 95) -> str:
    lines = [
        "id: bench-export",
        "title: Bench",
        f"total_points: {n_subs * 10}",
        "ranking: {cohorts: [{code: c, name: C}]}",
        "indices:",
    ]
    per = [n_subs // 9 + (1 if i < n_subs % 9 else 0) for i in range(9)]
    k = 0
    for i, count in enumerate(per, 1):
        lines += [f"  - code: '{i}'", f"    name: Chỉ số {i}", f"    max_points: {count * 10}", "    sub_indices:"]
        for _ in range(count):
            kind = CYCLE[k % len(CYCLE)]
            extra = CRITERIA if kind == "criteria" else ""
            lines.append(
                f"      - {{code: '{i}.{k}', name: Mục {k}, question: '?', max_points: 10, "
                f"method: {METHODS[kind]}{extra}}}"
            )
            k += 1
    return "\n".join(lines)


async def prepare(data_dir: Path, n_units: int) -> int:
    db = Database(default_url(data_dir))
    await upgrade(db)
    text = framework_yaml()
    framework = load_framework_text(text, "bench")
    rng = random.Random(5)
    now = datetime.now(UTC)
    async with db.session() as session, session.begin():
        version = FrameworkVersion(
            framework_id="bench-export",
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            title="Bench",
            total_points=framework.total_points,
            definition=text,
        )
        session.add(version)
        await session.flush()
        period = Period(
            framework_version_id=version.id, year=2026, title="Bench 2026", deadline=date(2026, 12, 31), state="open"
        )
        session.add(period)
        await session.flush()
        await session.execute(
            insert(Unit),
            [
                {
                    "code": f"U{n:05d}",
                    "name": f"Đơn vị {n}",
                    "cohort": "c",
                    "attributes": {},
                    "ranked": True,
                    "active": True,
                }
                for n in range(n_units)
            ],
        )
        unit_ids = [u for (u,) in await session.execute(select(Unit.id).order_by(Unit.id))]
        period_id = period.id
    rows = []
    for unit_id in unit_ids:
        for sub in framework.sub_indices:
            parsed = parse_answer(sub, sample_raw_answer(sub, rng))
            rows.append(
                {
                    "period_id": period_id,
                    "unit_id": unit_id,
                    "sub_index_code": sub.code,
                    "raw": to_json(parsed),
                    "self_points": sub.method.points(parsed, sub.max_points),
                    "status": "submitted",
                    "answered_at": now,
                    "revision": 1,
                }
            )
    async with db.session() as session, session.begin():
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(Answer), rows[start : start + CHUNK])
        answer_ids = [a for (a,) in await session.execute(select(Answer.id).order_by(Answer.id))]
        for start in range(0, len(answer_ids), CHUNK):
            chunk = answer_ids[start : start + CHUNK]
            await session.execute(
                insert(AnswerHistory),
                [
                    {
                        "answer_id": a,
                        "revision": 1,
                        "action": "answer",
                        "changed_at": now,
                        "old": None,
                        "new": {"raw": {"yes": True}},
                    }
                    for a in chunk
                ],
            )
            await session.execute(
                insert(Evidence),
                [
                    {
                        "answer_id": a,
                        "kind": "document_ref",
                        "doc_number": f"{a}/QĐ",
                        "doc_summary": "Quyết định",
                        "uploaded_at": now,
                        "file_name": "",
                        "media_type": "",
                        "url": "",
                    }
                    for a in chunk[::4]
                ],
            )
    await db.dispose()
    return len(rows)


def main(n_units: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        start = time.perf_counter()
        answers = asyncio.run(prepare(data, n_units))
        prepared = time.perf_counter() - start
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("DTI_")}, "DTI_DATA_DIR": str(data)}
        start = time.perf_counter()
        # The child reports its own VmHWM: getrusage(RUSAGE_CHILDREN) would also count this process's
        # memory (427k rows just built), which Linux carries across fork and exec into the child's maxrss.
        out = subprocess.run(
            [sys.executable, "-c", CHILD, "--period", "1", "--out", str(Path(tmp) / "out")],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        elapsed = time.perf_counter() - start
        match = re.search(r"VmHWM (\d+)", out.stderr)
        peak_mb = int(match.group(1)) / 1024 if match else float("inf")
        if out.returncode != 0:
            print(out.stdout, out.stderr)
            return 1
        size = next((Path(tmp) / "out").glob("*.xlsx")).stat().st_size / 1e6
    print(
        f"export: {n_units} units × 95 answers = {answers} answer rows (+ {answers} audit rows, "
        f"{answers // 4} evidence rows); data prepared in {prepared:.0f} s"
    )
    print(
        f"  dti-bot export: {elapsed:.1f} s, workbook {size:.1f} MB, peak RSS {peak_mb:.0f} MB "
        f"(target < 300 MB) {'OK' if peak_mb < 300 else 'MISSED'}"
    )
    return 0 if peak_mb < 300 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=4500)
    sys.exit(main(parser.parse_args().units))
