"""Settings from the environment or an env file (documented in .env.example). Built in the CLI only.

Where the env file is, in this order (never the current directory):
1. `--env-file PATH` on the command line, or `DTI_ENV_FILE=PATH`;
2. `/etc/dti-bot/env`, the file the systemd units read (deploy/);
3. `.env` in the app folder, when the bot runs from a source checkout (`make install`).
Variables of the environment win over the file. A relative path in a setting is taken from the folder
of the env file (else the app folder), so a command finds the same data from any directory.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.campaign_calendar import TIMEZONE
from storage.db import default_url, postgres_url
from storage.s3 import S3Location

SYSTEM_ENV_FILE = Path("/etc/dti-bot/env")
# The checkout the code runs from (an editable install); None for a wheel (the Docker image).
_CHECKOUT = Path(__file__).resolve().parents[1]
APP_FOLDER: Path | None = _CHECKOUT if (_CHECKOUT / "pyproject.toml").is_file() else None
ENV_FILE_VARIABLE = "DTI_ENV_FILE"
# DTI_ names that are not settings of the bot: where the settings are, and the test suite's switches.
NOT_SETTINGS = frozenset({ENV_FILE_VARIABLE, "DTI_TEST_POSTGRES_URL", "DTI_REQUIRE_POSTGRES"})
# The campaign's time zone is not a setting: Vietnam has one, and the calendar (bot.campaign_calendar),
# the scheduler and the renderers use it together. A setting that moved only some of them would shift
# deadlines by hours; see docs/operations.md.
CAMPAIGN_TIMEZONE = TIMEZONE.key
# What Telegram accepts as a webhook's secret token.
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class SettingsError(ValueError):
    """A setting that cannot work, with a stable `reason` the CLI words in Vietnamese."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(f"{reason}: {details}")
        self.reason, self.details = reason, details


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DTI_", env_file=None, extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    # PostgreSQL as separate fields (a password with @, : or % needs no URL-encoding here).
    db_host: str | None = None
    db_port: int = 5432
    db_user: str | None = None
    db_password: SecretStr | None = None
    db_name: str | None = None
    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    # The secret Telegram echoes to the webhook; the same for every replica (None: derived from the token).
    webhook_secret: SecretStr | None = None
    bot_username: str | None = None
    frameworks_dir: Path | None = None
    show_peer_names: bool = True
    log_json: bool = False
    log_level: str = "INFO"
    outbox_rate: float = 25.0  # messages per second for all senders together (Telegram allows ~30)
    outbox_stale_seconds: float = 60.0  # a claim older than this is taken back (its sender died)
    # Evidence files in an S3-compatible store (MinIO…) instead of <data_dir>/evidence: for replicas.
    evidence_bucket: str | None = None
    evidence_prefix: str = "evidence"
    evidence_endpoint: str | None = None
    evidence_region: str | None = None
    evidence_access_key: str | None = None
    evidence_secret_key: SecretStr | None = None

    _source_file: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        separate = [name for name in ("db_user", "db_password", "db_name") if getattr(self, name)]
        if self.database_url and self.db_host:
            raise SettingsError("database_twice")
        if separate and not self.db_host:
            raise SettingsError("db_host_missing", names=", ".join(f"DTI_{n.upper()}" for n in separate))
        if self.database_url and _authority(self.database_url).count("@") > 1:
            raise SettingsError("database_url_at")
        if self.webhook_url is not None and not self.webhook_url.startswith(("https://", "http://")):
            raise SettingsError("webhook_url_scheme", url=self.webhook_url)
        if self.webhook_secret is not None and not WEBHOOK_SECRET.match(self.webhook_secret.get_secret_value()):
            raise SettingsError("webhook_secret_chars")
        s3_named = [
            f"DTI_{name.upper()}"
            for name in (
                "evidence_endpoint",
                "evidence_region",
                "evidence_access_key",
                "evidence_secret_key",
            )
            if getattr(self, name)
        ]
        if s3_named and not self.evidence_bucket:
            raise SettingsError("evidence_bucket_missing", names=", ".join(s3_named))
        return self

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.db_host:
            password = self.db_password.get_secret_value() if self.db_password else None
            return postgres_url(self.db_host, self.db_port, self.db_user, password, self.db_name)
        return default_url(self.data_dir)

    @property
    def timezone(self) -> str:
        return CAMPAIGN_TIMEZONE

    @property
    def env_file(self) -> Path | None:
        """The env file these settings were read from (None: the environment only)."""
        return self._source_file

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def evidence_s3(self) -> S3Location | None:
        """Where evidence files live when they are not on the local disk (None: <data_dir>/evidence)."""
        if not self.evidence_bucket:
            return None
        secret = self.evidence_secret_key.get_secret_value() if self.evidence_secret_key else None
        return S3Location(
            bucket=self.evidence_bucket,
            prefix=self.evidence_prefix,
            endpoint_url=self.evidence_endpoint,
            region=self.evidence_region,
            access_key=self.evidence_access_key,
            secret_key=secret,
        )

    @property
    def framework_dirs(self) -> list[Path] | None:
        return [self.frameworks_dir] if self.frameworks_dir else None


def _authority(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.rsplit("/", 1)[0] if "/" in rest else rest


def find_env_file(explicit: Path | None = None) -> Path | None:
    """The env file to read (see the module's docstring); an explicit one must exist."""
    named = explicit or (Path(os.environ[ENV_FILE_VARIABLE]) if os.environ.get(ENV_FILE_VARIABLE) else None)
    if named is not None:
        if not named.is_file():
            raise SettingsError("env_file_missing", path=str(named))
        return named.resolve()
    for candidate in [SYSTEM_ENV_FILE] + ([APP_FOLDER / ".env"] if APP_FOLDER else []):
        try:
            if candidate.is_file():
                return candidate
        except PermissionError as exc:  # e.g. /etc/dti-bot is not open to this user
            raise SettingsError("env_file_unreadable", path=str(candidate)) from exc
    return None


def load_settings(explicit: Path | None = None) -> Settings:
    """Settings from the environment and the env file; raises SettingsError when they cannot work."""
    env_file = find_env_file(explicit)
    try:
        config = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except PermissionError as exc:
        raise SettingsError("env_file_unreadable", path=str(env_file)) from exc
    except ValueError as exc:  # pydantic wraps what a validator raised
        cause = _settings_error_in(exc)
        if cause is not None:
            raise cause from exc
        raise SettingsError("invalid", error=_first_problem(exc)) from exc
    base = env_file.parent if env_file else (APP_FOLDER or Path.cwd())
    updates: dict[str, Any] = {}
    if not config.data_dir.is_absolute():
        updates["data_dir"] = base / config.data_dir
    if config.frameworks_dir is not None and not config.frameworks_dir.is_absolute():
        updates["frameworks_dir"] = base / config.frameworks_dir
    if updates:
        config = config.model_copy(update=updates)
    config._source_file = env_file
    return config


def _settings_error_in(exc: ValueError) -> SettingsError | None:
    for error in getattr(exc, "errors", lambda: [])():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, SettingsError):
            return cause
    return None


def _first_problem(exc: ValueError) -> str:
    errors = getattr(exc, "errors", lambda: [])()
    if not errors:
        return str(exc).splitlines()[0]
    first = errors[0]
    name = "DTI_" + str(first["loc"][0]).upper() if first.get("loc") else "?"
    return f"{name}: {first.get('msg', '')}"


def unknown_names(config: Settings) -> list[str]:
    """DTI_ names in the environment or the env file that no setting reads (a typo, or a setting
    this version does not have): they would be ignored without a word."""
    from dotenv import dotenv_values

    names = {name for name in os.environ if name.startswith("DTI_")}
    if config.env_file is not None:
        with contextlib.suppress(OSError):
            names |= {name for name in dotenv_values(config.env_file) if name.startswith("DTI_")}
    known = {f"DTI_{field.upper()}" for field in Settings.model_fields} | NOT_SETTINGS
    return sorted(names - known)


def env_file_exposed(config: Settings) -> bool:
    """The env file (it holds the token and passwords) can be read by other users than its owner."""
    if config.env_file is None:
        return False
    try:
        return bool(config.env_file.stat().st_mode & 0o077)
    except OSError:
        return False
