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
    # A newcomer creates the database first (docs/deploy.md): no other command starts an empty one.
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade", "--create"], env=env, check=True, capture_output=True)

    def run(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            input=stdin,
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


def test_people_are_listed_their_roles_removed_and_unused_invitations_revoked_with_confirmation(cli, tmp_path):
    assert cli("demo", "seed").returncode == 0
    listed = json.loads(cli("people", "list", "--unit", "SNV", "--format", "json").stdout)
    assert {(p["telegram_id"], p["role"]) for p in listed["people"]} >= {(700001, "focal_point"), (700004, "leader")}
    assert set(listed["people"][0]) == {"telegram_id", "name", "role", "unit", "since"}

    asked = cli("people", "remove", "700001", "--role", "focal_point", stdin="n\n")
    assert asked.returncode == 1 and "Gỡ vai trò đầu mối của Nguyễn Thị Lan" in asked.stdout
    assert "Không có thay đổi nào" in asked.stderr
    silent = cli("people", "remove", "700001", "--role", "focal_point")  # no answer at all: no change
    assert silent.returncode == 1
    assert 700001 in {p["telegram_id"] for p in json.loads(cli("people", "list", "--format", "json").stdout)["people"]}
    removed = cli("people", "remove", "700001", "--role", "focal_point", stdin="y\n")
    assert removed.returncode == 0 and "Đã gỡ vai trò đầu mối của Nguyễn Thị Lan (Sở Nội vụ)" in removed.stdout
    after = json.loads(cli("people", "list", "--format", "json").stdout)["people"]
    assert 700001 not in {p["telegram_id"] for p in after} and 700002 in {p["telegram_id"] for p in after}

    last = cli("people", "remove", "700008", "--role", "admin", "--yes")
    assert last.returncode == 2 and "Traceback" not in last.stderr
    assert last.stderr.strip().splitlines()[-1].startswith("Đây là quản trị viên cuối cùng")
    unknown = cli("people", "remove", "123", "--role", "leader", "--yes")
    assert unknown.returncode == 2 and "123" in unknown.stderr and "Traceback" not in unknown.stderr

    assert (
        cli("people", "invite", "--unit", "SNV", "--role", "leader", "--count", "3", "--out", "a.csv").returncode == 0
    )
    invites = json.loads(cli("people", "list", "--format", "json").stdout)["invites"]
    assert len(invites) == 3 and set(invites[0]) == {"id", "role", "unit", "expires"}
    codes = [
        link.rsplit("=", 1)[1] for link in (tmp_path / "a.csv").read_text(encoding="utf-8-sig").split() if "=" in link
    ]
    assert codes and not any(code in json.dumps(invites) for code in codes)
    one = cli("people", "revoke", str(invites[0]["id"]), "--yes")
    assert one.returncode == 0 and "Đã thu hồi 1 lời mời" in one.stdout
    again = cli("people", "revoke", str(invites[0]["id"]), "--yes")
    assert again.returncode == 2 and "đã bị thu hồi" in again.stderr
    rest = cli("people", "revoke", "--all-unused", "--unit", "SNV", stdin="y\n")
    assert rest.returncode == 0 and "Đã thu hồi 2 lời mời" in rest.stdout
    assert json.loads(cli("people", "list", "--format", "json").stdout)["invites"] == []
    assert cli("people", "revoke", "--all-unused").stdout.strip() == "Không có lời mời chưa dùng nào để thu hồi."
    both = cli("people", "revoke", "1", "--all-unused")
    assert both.returncode == 2 and "--all-unused" in both.stderr


def test_invite_refuses_a_unit_for_a_campaign_wide_role_and_an_endless_validity_in_vietnamese(cli, tmp_path):
    assert cli("db", "upgrade", "--create").returncode == 0  # a new installation
    (tmp_path / "units.csv").write_text("code,name,cohort\nSNV,Sở Nội vụ,so-nganh\n", encoding="utf-8")
    assert cli("units", "import", "units.csv").returncode == 0
    for role in ("reviewer", "coordinator", "admin"):
        out = cli("people", "invite", "--role", role, "--unit", "SNV", "--out", f"{role}.csv")
        assert out.returncode == 2 and "áp dụng toàn tỉnh: không ghi --unit" in out.stderr
        assert not (tmp_path / f"{role}.csv").exists()
    endless = cli("people", "invite", "--role", "focal_point", "--unit", "SNV", "--expires", "99999999d")
    assert endless.returncode == 2 and "Traceback" not in endless.stderr
    assert endless.stderr.strip().splitlines()[-1] == (
        "Thời hạn “99999999d” quá dài: lời mời chỉ có hiệu lực tối đa 365 ngày."
    )
    assert json.loads(cli("people", "list", "--format", "json").stdout)["invites"] == []


def test_invitation_files_are_readable_by_their_owner_only(cli, tmp_path):
    assert cli("db", "upgrade", "--create").returncode == 0  # a new installation
    (tmp_path / "units.csv").write_text("code,name,cohort\nSNV,Sở Nội vụ,so-nganh\n", encoding="utf-8")
    assert cli("units", "import", "units.csv").returncode == 0
    old = tmp_path / "old.csv"
    old.write_text("stale content that is longer than nothing\n" * 50)
    old.chmod(0o644)
    for name in ("new.csv", "old.csv"):
        out = cli("people", "invite", "--unit", "SNV", "--role", "focal_point", "--out", name)
        assert out.returncode == 0, out.stderr
        path = tmp_path / name
        assert path.stat().st_mode & 0o777 == 0o600
        assert "stale" not in path.read_text(encoding="utf-8-sig") and "https://t.me/" in path.read_text(
            encoding="utf-8-sig"
        )
    default = cli("people", "invite", "--role", "coordinator")
    assert default.returncode == 0
    [written] = (tmp_path / "data" / "invites").glob("invites-all-coordinator-*.csv")
    assert written.stat().st_mode & 0o777 == 0o600
