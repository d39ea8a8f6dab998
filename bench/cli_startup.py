"""How fast `dti-bot` answers: `--help` and light commands must start in under 0.3 s.

Each command runs as the operator runs it (the installed console script, a fresh process), a few
times after one warm-up; the median is compared with the target. Heavy libraries (openpyxl, numpy,
matplotlib, docx, boto3, aiogram) are imported only by the commands that use them, so a slow figure
here usually means a module-level import crept back into bot/cli: find it with
`.venv/bin/python -X importtime -c 'import bot.cli' 2>&1 | sort -t'|' -k2 -n | tail`.

Run: make bench   (or .venv/bin/python bench/cli_startup.py)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.3  # seconds, median of a fresh process
RUNS = 7
# Light commands: no database work, nothing heavy to import.
COMMANDS = [
    ["--help"],
    ["period", "--help"],
    ["score", "--help"],
    ["framework", "check", "frameworks/dongthap-1397-so.yaml"],
]


def command() -> list[str]:
    script = Path(sys.executable).with_name("dti-bot")
    if script.exists():
        return [str(script)]
    found = shutil.which("dti-bot")
    return [found] if found else [sys.executable, "-m", "bot"]


def measure(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    timings = []
    code = 0
    for n in range(RUNS + 1):
        start = time.perf_counter()
        done = subprocess.run([*command(), *args], cwd=ROOT, env=env, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        code = code or done.returncode
        if n:  # the first run warms the file cache and the .pyc files
            timings.append(elapsed)
    return statistics.median(timings), code


def main() -> int:
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
        env["DTI_DATA_DIR"] = data  # no settings file of this machine is read
        env["DTI_ENV_FILE"] = os.devnull
        print(f"cli startup: median of {RUNS} fresh processes (target < {TARGET * 1000:.0f} ms)")
        ok = True
        for args in COMMANDS:
            median, code = measure(args, env)
            passed = median < TARGET and code == 0
            ok = ok and passed
            label = "dti-bot " + " ".join(args)
            status = "OK" if passed else ("MISSED" if code == 0 else f"FAILED (exit {code})")
            print(f"  {label:<58} {median * 1000:6.0f} ms  {status}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
