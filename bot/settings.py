"""Settings from the environment or `.env` (documented in .env.example). Built in the CLI only."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import default_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DTI_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    bot_username: str | None = None
    frameworks_dir: Path | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    show_peer_names: bool = True
    log_json: bool = False
    log_level: str = "INFO"
    outbox_rate: float = 25.0  # messages per second for all senders together (Telegram allows ~30)
    outbox_stale_seconds: float = 60.0  # a claim older than this is taken back (its sender died)

    @property
    def url(self) -> str:
        return self.database_url or default_url(self.data_dir)

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def framework_dirs(self) -> list[Path] | None:
        return [self.frameworks_dir] if self.frameworks_dir else None
