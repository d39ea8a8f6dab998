"""Commands find their data from anywhere, never start an empty database by accident, say which
database they use, and keep secrets to their owner."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE_LINE = "Cơ sở dữ liệu: "


def cli(env: dict[str, str], *args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        input=stdin,
    )


@pytest.fixture
def install(tmp_path):
    """An installation as deploy.md describes: the app's settings file in its own folder, and an
    operator in a directory of their own, with nothing of the machine's DTI_ environment."""
    app = tmp_path / "srv"
    app.mkdir()
    env_file = app / "env"
    env_file.write_text("# settings\nDTI_DATA_DIR=./data\nDTI_BOT_USERNAME=dti_test_bot\n", encoding="utf-8")
    env_file.chmod(0o600)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DTI_")}
    env["DTI_ENV_FILE"] = str(env_file)
    return env, app, home


def test_a_command_run_elsewhere_without_a_database_refuses_and_creates_nothing(install):
    env, app, home = install
    for args in (("period", "list"), ("db", "backup", "b.db"), ("db", "upgrade"), ("units", "import", "u.csv")):
        if args[0] == "units":
            (home / "u.csv").write_text("code,name,cohort\nSNV,Sở Nội vụ,so-nganh\n", encoding="utf-8")
        result = cli(env, *args, cwd=home)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result
        assert "Không có cơ sở dữ liệu tại" in result.stderr and "db upgrade --create" in result.stderr
        assert str(app / "data" / "dti.db") in result.stderr
    assert not (app / "data" / "dti.db").exists() and not (home / "data").exists() and not (home / "b.db").exists()


def test_db_upgrade_create_makes_the_database_that_every_command_then_finds_from_anywhere(install, tmp_path):
    env, app, home = install
    created = cli(env, "db", "upgrade", "--create", cwd=home)
    assert created.returncode == 0, created.stderr
    assert (app / "data" / "dti.db").is_file()
    opened = cli(
        env, "period", "open", "--framework", "dongthap-1397-so", "--year", "2026", "--deadline", "2026-12-15", cwd=home
    )
    assert opened.returncode == 0, opened.stderr
    other = tmp_path / "other"
    other.mkdir()
    listed = cli(env, "period", "list", "--format", "json", cwd=other)
    assert listed.returncode == 0 and '"year": 2026' in listed.stdout
    assert not (other / "data").exists() and not (home / "data").exists()


def test_every_administrative_command_names_its_database_on_one_stderr_line(install):
    env, app, home = install
    assert cli(env, "db", "upgrade", "--create", cwd=home).returncode == 0
    for args in (("period", "list"), ("db", "upgrade"), ("evidence", "verify"), ("doctor", "--quick")):
        result = cli(env, *args, cwd=home)
        lines = [line for line in result.stderr.splitlines() if line.startswith(DATABASE_LINE)]
        assert lines == [f"{DATABASE_LINE}sqlite+aiosqlite:///{app / 'data' / 'dti.db'} (cấu hình: {app / 'env'})"], (
            args,
            result.stderr,
        )
        assert DATABASE_LINE not in result.stdout


def test_an_unreachable_database_is_one_vietnamese_line_with_the_password_hidden(install):
    env, _app, home = install
    env = {**env, "DTI_DB_HOST": "127.0.0.1", "DTI_DB_PORT": "9", "DTI_DB_USER": "dti", "DTI_DB_PASSWORD": "s3cr@t:%x"}
    env["DTI_DB_NAME"] = "dti"
    result = cli(env, "period", "list", cwd=home)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result
    assert "Không kết nối được cơ sở dữ liệu postgresql+asyncpg://dti:***@127.0.0.1:9/dti" in result.stderr
    assert "s3cr" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if not line.startswith(DATABASE_LINE)]
    assert len(errors) == 1


def test_settings_that_cannot_work_stop_every_command_with_one_line(install):
    env, _app, home = install
    for extra, needle in (
        ({"DTI_DATABASE_URL": "postgresql+asyncpg://dti:p@ss@db/dti"}, "%40"),
        ({"DTI_ENV_FILE": str(home / "missing.env")}, "Không có tệp cấu hình"),
        ({"DTI_WEBHOOK_URL": "dti.example.gov.vn"}, "https://"),
    ):
        result = cli({**env, **extra}, "period", "list", cwd=home)
        assert result.returncode == 2 and needle in result.stderr, result
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_the_env_file_option_names_the_settings_file(install, tmp_path):
    env, _app, home = install
    env.pop("DTI_ENV_FILE")
    other = tmp_path / "other.env"
    other.write_text(f"DTI_DATA_DIR={tmp_path / 'other-data'}\n", encoding="utf-8")
    result = cli(env, "--env-file", str(other), "db", "upgrade", "--create", cwd=home)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "other-data" / "dti.db").is_file() and f"(cấu hình: {other})" in result.stderr


def test_a_settings_file_others_can_read_and_an_unknown_name_are_warned_about(install):
    env, app, home = install
    (app / "env").write_text("DTI_DATA_DIR=./data\nDTI_TIMEZONE=Asia/Bangkok\n", encoding="utf-8")
    (app / "env").chmod(0o644)
    result = cli(env, "db", "upgrade", "--create", cwd=home)
    assert result.returncode == 0, result.stderr
    assert f"chmod 600 {app / 'env'}" in result.stderr
    assert "DTI_TIMEZONE không phải thiết lập của dti-bot" in result.stderr
    (app / "env").chmod(0o600)
    quiet = cli(env, "period", "list", cwd=home)
    assert "chmod" not in quiet.stderr


def test_invitations_and_backups_are_written_for_their_owner_only_in_the_data_folder(install):
    env, app, home = install
    assert cli(env, "db", "upgrade", "--create", cwd=home).returncode == 0
    (home / "units.csv").write_text("code,name,cohort\nSNV,Sở Nội vụ,so-nganh\n", encoding="utf-8")
    assert cli(env, "units", "import", "units.csv", cwd=home).returncode == 0
    invited = cli(env, "people", "invite", "--unit", "SNV", "--role", "focal_point", cwd=home)
    assert invited.returncode == 0, invited.stderr
    (written,) = (app / "data" / "invites").glob("invites-SNV-focal_point-*.csv")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert not list(home.glob("invites-*"))
    backup = cli(env, "db", "backup", str(home / "dti-backup.db"), cwd=home)
    assert backup.returncode == 0, backup.stderr
    assert stat.S_IMODE((home / "dti-backup.db").stat().st_mode) == 0o600


def test_dockerignore_keeps_secrets_data_and_the_virtualenv_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", "data/", ".venv/"} <= ignored and "!.env.example" in ignored
