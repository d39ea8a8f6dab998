"""The administration commands, run as a newcomer would on a fresh data folder."""

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "DTI_DATA_DIR": str(tmp_path / "data"), "DTI_BOT_USERNAME": "dti_test_bot"}
    env.pop("DTI_DATABASE_URL", None)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
        )

    return run


def test_demo_seed_then_score_prints_rankings_for_both_cohorts(cli):
    seeded = cli("demo", "seed")
    assert seeded.returncode == 0, seeded.stderr
    periods = json.loads(cli("period", "list", "--format", "json").stdout)
    open_period = next(p for p in periods if p["state"] == "open")
    assert set(open_period) == {"id", "framework", "year", "title", "state", "deadline"}
    out = cli("score", "--period", str(open_period["id"]), "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {r["cohort"] for r in rows} == {"so-nganh", "xa-phuong"}
    assert next(r["rank"] for r in rows if r["cohort"] == "xa-phuong") == 1
    assert cli("evidence", "verify").returncode == 0


def test_units_import_invite_and_period_commands_work_on_a_fresh_server(cli, tmp_path):
    (tmp_path / "units.csv").write_text("code,name,cohort\nSNV,Sở Nội vụ,so-nganh\n", encoding="utf-8")
    assert "1" in cli("units", "import", "units.csv").stdout
    invited = cli("people", "invite", "--unit", "SNV", "--role", "focal_point", "--count", "3", "--out", "invites.csv")
    assert invited.returncode == 0, invited.stderr
    links = invited.stdout.split()
    assert len(links) == 3 and all(link.startswith("https://t.me/dti_test_bot?start=") for link in links)
    assert (tmp_path / "invites.csv").read_text(encoding="utf-8-sig").count("https://t.me/") == 3
    opened = cli("period", "open", "--framework", "dongthap-1397-so", "--year", "2026", "--deadline", "2026-12-15")
    assert opened.returncode == 0 and "15/12/2026" in opened.stdout
    assert cli("period", "lock", "--period", "1").returncode == 0
    assert cli("period", "lock", "--period", "1").returncode == 2
    backup = cli("db", "backup", "backup.db")
    assert backup.returncode == 0 and (tmp_path / "backup.db").stat().st_size > 0


def test_a_bad_units_file_reports_each_line_and_exits_2(cli, tmp_path):
    (tmp_path / "units.csv").write_text("code,name\nSNV,\nSNV,Trùng\n", encoding="utf-8")
    out = cli("units", "import", "units.csv")
    assert out.returncode == 2
    assert "Dòng 2" in out.stderr and "Dòng 3" in out.stderr


def test_an_invite_for_an_unknown_role_is_refused_in_vietnamese(cli):
    out = cli("people", "invite", "--role", "king")
    assert out.returncode == 2 and "Không có vai trò" in out.stderr


def test_a_coordinator_changes_the_reminder_policy_and_bad_values_are_refused(cli):
    assert (
        cli(
            "period", "open", "--framework", "dongthap-1397-so", "--year", "2026", "--deadline", "2026-12-15"
        ).returncode
        == 0
    )
    out = cli("period", "reminders", "--period", "1", "--days-before", "5,2", "--start", "08:00")
    assert out.returncode == 0, out.stderr
    assert "5, 2 ngày trước hạn chót" in out.stdout and "từ 08:00–17:30" in out.stdout
    bad = cli("period", "reminders", "--period", "1", "--start", "25:00")
    assert bad.returncode == 2 and "start" in bad.stderr
