"""`dti-bot` answers at once and says every error in one Vietnamese line.

How fast is measured by bench/cli_startup.py (`make bench`), not here: a unit test asserts what makes
it fast — the heavy libraries are not imported until a command needs them — which holds on any machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

import pytest

HEAVY = ("openpyxl", "matplotlib", "numpy", "docx", "boto3", "aiogram", "sqlalchemy", "alembic", "apscheduler")


def imported_after(code: str) -> set[str]:
    """The top-level packages in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_importing_the_cli_imports_none_of_the_heavy_libraries():
    loaded = imported_after("import bot.cli")
    assert "typer" in loaded  # the probe sees what the import brought
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_the_help_of_every_group_is_written_without_the_heavy_libraries():
    code = (
        "import contextlib, io\n"
        "from bot.cli import main\n"
        "for args in (['--help'], ['period', '--help'], ['people', 'invite', '--help'], ['db', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(args)\n"
    )
    loaded = imported_after(code)
    assert "rich" in loaded  # the help was really rendered
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["peroid", "list"], "Lệnh dti-bot không có lệnh con “peroid”. Có phải là period? Xem `dti-bot --help`."),
        (
            ["score", "--fromat", "json"],
            "Lệnh dti-bot score không có tùy chọn --fromat. Có phải là --format? Xem `dti-bot score --help`.",
        ),
        (
            ["period", "open", "--year", "2026", "--deadline", "2026-12-31"],
            "Thiếu tùy chọn --framework. Xem `dti-bot period open --help`.",
        ),
        (
            ["period", "open", "--framework", "x", "--year", "năm nay", "--deadline", "2026-12-31"],
            "Giá trị “năm nay” của --year không hợp lệ: cần một số nguyên. Xem `dti-bot period open --help`.",
        ),
        (
            ["period", "list", "--format", "xml"],
            "Giá trị “xml” của --format không hợp lệ: cần một trong các giá trị table, csv, json. "
            "Xem `dti-bot period list --help`.",
        ),
        (["period", "list", "thừa"], "Thừa đối số: thừa. Xem `dti-bot period list --help`."),
        (["people", "remove"], "Thiếu đối số TELEGRAM_ID. Xem `dti-bot people remove --help`."),
    ],
)
def test_a_mistyped_command_is_answered_in_one_vietnamese_line_with_exit_code_2(args, expected):
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.strip() == expected
    assert done.stdout == ""


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_a_private_report(tmp_path, capsys, monkeypatch):
    from bot import cli
    from bot.cli import main

    name = " ".join(["Nguyễn", "Thị", "Lan"])  # not in the source lines a traceback shows

    def broken() -> None:
        raise ValueError(f"input_value='{name}', input_type=str]")

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cli.app.command("broken-for-test")(broken)
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(["broken-for-test"])
    finally:
        cli.app.registered_commands[:] = [c for c in cli.app.registered_commands if c.name != "broken-for-test"]
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi ngoài dự kiến (ValueError: ")
    report = tmp_path / re.search(r"dti-bot-error-\w+\.txt", lines[0]).group(0)
    assert oct(report.stat().st_mode & 0o777) == "0o600"
    text = report.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in broken" in text
    assert name not in text and name not in lines[0]


def test_a_command_that_reports_a_problem_still_exits_with_code_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env["DTI_DATA_DIR"] = str(tmp_path)
    done = run("period", "list", env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("Không có cơ sở dữ liệu tại")
    assert "Traceback" not in done.stderr


def test_a_sandbox_on_a_busy_port_says_so_in_one_line_with_a_free_port_to_use(tmp_path):
    import socket

    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env["DTI_DATA_DIR"] = str(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("sandbox", "--port", str(port), env=env)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"Cổng {port} đang được dùng")
    other = int(re.search(r"make sandbox PORT=(\d+)", line).group(1))
    assert other != port and f"dti-bot sandbox --port {other}" in line
    assert not (tmp_path / "sandbox").exists()  # nothing was started
