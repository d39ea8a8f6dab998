"""The configuration the docs name is the configuration the bot reads, from a fixed place."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot import settings as settings_module
from bot.settings import NOT_SETTINGS, Settings, SettingsError, load_settings, unknown_names
from storage.db import Database, redacted

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / ".env.example",
    ROOT / "Dockerfile",
    ROOT / "compose.yaml",
    *sorted((ROOT / "deploy").glob("*")),
]
# Named in the docs on purpose although no setting reads it: a setting that was removed, and which
# a command reports as unknown when an old settings file still has it.
RETIRED = {"DTI_TIMEZONE"}
POSTGRES_SERVER = os.environ.get("DTI_TEST_POSTGRES_URL")  # read before the fixture clears DTI_ names
FIELDS = {f"DTI_{name.upper()}" for name in Settings.model_fields}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No DTI_ variable of the machine, no /etc/dti-bot/env, no .env of the checkout."""
    for name in list(os.environ):
        if name.startswith("DTI_"):
            monkeypatch.delenv(name)
    monkeypatch.setattr(settings_module, "SYSTEM_ENV_FILE", tmp_path / "etc" / "env")
    monkeypatch.setattr(settings_module, "APP_FOLDER", tmp_path / "app")
    (tmp_path / "app").mkdir()


def documented_names() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in DOCUMENTS:
        for name in set(re.findall(r"DTI_[A-Z][A-Z_]*[A-Z]", path.read_text(encoding="utf-8"))):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_documents_to_check_exist_and_name_settings():
    assert all(path.is_file() for path in DOCUMENTS)
    assert (ROOT / "deploy" / "dti-bot.service") in DOCUMENTS
    assert len(documented_names()) > 10


def test_every_setting_the_docs_name_is_a_field_of_settings():
    unread = {name: where for name, where in documented_names().items() if name not in FIELDS | NOT_SETTINGS | RETIRED}
    assert unread == {}, "documented but read by nothing"


def test_every_setting_is_listed_with_its_meaning_in_env_example():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for field in sorted(FIELDS):
        at = next((i for i, line in enumerate(lines) if re.match(rf"^#?{field}=", line)), None)
        assert at is not None, f"{field} is not in .env.example"
        above = at - 1
        while above >= 0 and re.match(r"^#?DTI_", lines[above]):  # a group of settings shares its comment
            above -= 1
        assert above >= 0 and lines[above].startswith("# ") and len(lines[above]) > 12, f"{field} is not explained"


def test_a_retired_setting_is_not_offered_in_env_example():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert not any(re.search(rf"^#?{name}=", text, re.M) for name in RETIRED)
    assert not RETIRED & FIELDS


def test_every_setting_is_read_somewhere_in_the_code():
    """A field nothing reads is a setting that silently does nothing (DTI_WEBHOOK_URL once)."""
    read: set[str] = set()
    for package in ("bot", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            read |= {node.attr for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Attribute)}
    assert {name for name in Settings.model_fields if name not in read} == set()


def test_the_settings_file_is_found_from_a_fixed_place_and_never_the_current_directory(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("DTI_DATA_DIR=/wrong\n")
    monkeypatch.chdir(elsewhere)
    assert load_settings().env_file is None

    (tmp_path / "app" / ".env").write_text("DTI_DATA_DIR=./data\n")
    config = load_settings()
    assert config.env_file == tmp_path / "app" / ".env" and config.data_dir == tmp_path / "app" / "data"

    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "env").write_text("DTI_DATA_DIR=/srv/dti/data\n")
    assert load_settings().data_dir == Path("/srv/dti/data")  # the service's file comes first

    explicit = tmp_path / "other.env"
    explicit.write_text("DTI_DATA_DIR=there\n")
    monkeypatch.setenv("DTI_ENV_FILE", str(explicit))
    assert load_settings().data_dir == tmp_path / "there"
    assert load_settings(tmp_path / "app" / ".env").data_dir == tmp_path / "app" / "data"


def test_the_environment_wins_over_the_file(tmp_path, monkeypatch):
    (tmp_path / "app" / ".env").write_text("DTI_LOG_LEVEL=DEBUG\nDTI_OUTBOX_RATE=5\n")
    monkeypatch.setenv("DTI_OUTBOX_RATE", "12.5")
    config = load_settings()
    assert (config.log_level, config.outbox_rate) == ("DEBUG", 12.5)


def test_a_named_settings_file_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(SettingsError) as raised:
        load_settings(tmp_path / "missing.env")
    assert raised.value.reason == "env_file_missing"


def test_without_any_file_a_relative_data_folder_is_taken_from_the_app_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings().data_dir == tmp_path / "app" / "data"


@pytest.mark.parametrize("password", ["p@ss:w%rd/1", "a%40b", "x:y@z#?&="])
def test_a_password_with_at_colon_or_percent_reaches_the_driver_unchanged(password, monkeypatch):
    monkeypatch.setenv("DTI_DB_HOST", "db.example")
    monkeypatch.setenv("DTI_DB_USER", "dti")
    monkeypatch.setenv("DTI_DB_PASSWORD", password)
    monkeypatch.setenv("DTI_DB_NAME", "dti")
    url = load_settings().url
    parsed = make_url(url)
    assert (parsed.host, parsed.port, parsed.username, parsed.password, parsed.database) == (
        "db.example",
        5432,
        "dti",
        password,
        "dti",
    )
    db = Database(url)
    _args, kwargs = db.engine.dialect.create_connect_args(parsed)
    assert kwargs["password"] == password and kwargs["host"] == "db.example"
    assert "***" in redacted(url) and password not in redacted(url)


@pytest.mark.postgres
async def test_the_separate_database_fields_connect_to_postgresql(monkeypatch):
    if not POSTGRES_SERVER:
        pytest.skip("no PostgreSQL server (set DTI_TEST_POSTGRES_URL)")
    target = make_url(POSTGRES_SERVER)
    monkeypatch.setenv("DTI_DB_HOST", target.host)
    monkeypatch.setenv("DTI_DB_PORT", str(target.port))
    monkeypatch.setenv("DTI_DB_USER", target.username)
    monkeypatch.setenv("DTI_DB_PASSWORD", "p@ss:w%rd")  # the test server trusts: the host must parse right
    monkeypatch.setenv("DTI_DB_NAME", target.database)
    db = Database(load_settings().url)
    try:
        async with db.engine.connect() as conn:
            assert (await conn.exec_driver_sql("SELECT current_database()")).scalar() == target.database
    finally:
        await db.dispose()


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"DTI_DATABASE_URL": "sqlite://", "DTI_DB_HOST": "db"}, "database_twice"),
        ({"DTI_DB_PASSWORD": "secret"}, "db_host_missing"),
        ({"DTI_DATABASE_URL": "postgresql+asyncpg://dti:p@ss@db/dti"}, "database_url_at"),
        ({"DTI_WEBHOOK_URL": "dti.example.gov.vn"}, "webhook_url_scheme"),
        ({"DTI_OUTBOX_RATE": "fast"}, "invalid"),
    ],
)
def test_settings_that_cannot_work_are_refused_with_a_reason(env, reason, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert raised.value.reason == reason


def test_a_name_no_setting_reads_is_reported_from_the_file_and_the_environment(tmp_path, monkeypatch):
    (tmp_path / "app" / ".env").write_text("DTI_TIMEZONE=Asia/Bangkok\nDTI_BOT_TOKEN=1:x\n")
    monkeypatch.setenv("DTI_WEBHOOK_ULR", "https://typo")
    monkeypatch.setenv("DTI_TEST_POSTGRES_URL", "postgresql://x")
    assert unknown_names(load_settings()) == ["DTI_TIMEZONE", "DTI_WEBHOOK_ULR"]


def test_the_campaign_time_zone_is_fixed_and_matches_the_calendar():
    from bot.campaign_calendar import TIMEZONE

    assert load_settings().timezone == str(TIMEZONE) == "Asia/Ho_Chi_Minh"
