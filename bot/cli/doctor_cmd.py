"""`dti-bot doctor`: check settings, database, data folder, evidence, Bot API and webhook."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from bot.cli.common import database_missing, evidence_store, settings
from bot.i18n import _

# The checks (SQLAlchemy) are imported when the command runs: `dti-bot --help` stays fast.
ICONS = {"ok": "✅", "warn": "⚠️", "fail": "❌"}  # bot.services.admin.doctor's OK, WARN, FAIL


def _messages() -> dict[str, str]:
    return {
        "token_missing": _("DTI_BOT_TOKEN is not set."),
        "token_malformed": _("DTI_BOT_TOKEN does not look like a bot token (digits:letters)."),
        "token_present": _("The bot token is set."),
        "data_dir_writable": _("Data folder {path} is writable."),
        "data_dir_not_writable": _("Data folder {path} cannot be written: {error}"),
        "disk_free": _("Free space in the data folder: {free_mb} MB."),
        "db_unreachable": _("The database cannot be reached ({error}). Check DTI_DATABASE_URL and the server."),
        "db_reachable": _("The database answers ({dialect})."),
        "db_intact": _("The database file is intact (integrity check passed)."),
        "db_corrupt": _(
            "The database file is damaged ({problem}): restore the latest backup with `dti-bot db restore FILE`."
        ),
        "db_not_migrated": _("The database schema is at {current}, not {head}: run `dti-bot db upgrade`."),
        "db_migrated": _("The database schema is up to date ({head})."),
        "db_empty": _("The database is empty (no schema yet): create the schema with `dti-bot db upgrade --create`."),
        "evidence_ok": _("Evidence files intact ({checked} checked)."),
        "evidence_damaged": _(
            "Evidence files damaged: {missing} missing, {corrupt} corrupt of {checked} checked. "
            "Run `dti-bot evidence verify` and restore them from a backup."
        ),
        "token_rejected": _("The Bot API rejected the token (401): check DTI_BOT_TOKEN with @BotFather."),
        "api_unreachable": _("The Bot API cannot be reached ({error}). Check DTI_TELEGRAM_API_URL and the network."),
        "api_reachable": _("The Bot API answers; the bot is @{username}."),
        "webhook_set_while_polling": _(
            "A webhook is set ({url}) but the bot runs with polling: `dti-bot run` "
            "removes it at start; check nothing else uses this token."
        ),
        "webhook_not_set": _(
            "No webhook is set although DTI_WEBHOOK_URL is: start (or restart) the bot, which registers it."
        ),
        "mode_polling": _("Mode: long polling (DTI_WEBHOOK_URL is not set)."),
        "mode_webhook": _("Mode: webhook at {url} (DTI_WEBHOOK_URL)."),
        "db_missing": _(
            "There is no database at {url}: check the settings, or create it with `dti-bot db upgrade --create`."
        ),
        "webhook_errors": _("Telegram reports webhook errors: {error}"),
        "webhook_consistent": _("Webhook state is consistent ({pending} updates waiting)."),
    }


def _bot_api(url: str, token: str) -> tuple[dict[str, Any] | None, str | None, dict[str, Any] | None]:
    import urllib.error
    import urllib.request

    base = f"{url.rstrip('/')}/bot{token}"
    try:
        with urllib.request.urlopen(f"{base}/getMe", timeout=10) as response:
            me = json.load(response)["result"]
        with urllib.request.urlopen(f"{base}/getWebhookInfo", timeout=10) as response:
            webhook = json.load(response)["result"]
        return me, None, webhook
    except urllib.error.HTTPError as exc:
        return None, "unauthorized" if exc.code in (401, 404) else f"HTTP {exc.code}", None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, type(getattr(exc, "reason", exc)).__name__, None


def run_doctor(
    quick: Annotated[
        bool, typer.Option(help="Only local checks, without the Bot API and the full read of the database file.")
    ] = False,
) -> None:
    """Check settings, database (integrity, migrations), data folder, evidence, Bot API, webhook; exit 1 on problems."""
    from bot.services.admin import doctor
    from bot.services.admin.doctor import FAIL, OK, Finding
    from storage.db import Database, redacted

    config = settings()
    token = config.bot_token.get_secret_value() if config.bot_token else None
    findings: list[Finding] = [] if quick else [doctor.check_token(token)]
    findings += doctor.check_data_dir(config.data_dir)
    if config.webhook_url:
        findings.append(Finding("mode", OK, "mode_webhook", {"url": config.webhook_url.rstrip("/") + "/telegram"}))
    else:
        findings.append(Finding("mode", OK, "mode_polling"))

    async def database_checks() -> list[Finding]:
        if database_missing(config):  # opening it would create an empty database
            return [Finding("database", FAIL, "db_missing", {"url": redacted(config.url)})]
        try:
            db = Database(config.url)
        except Exception as exc:  # e.g. the SQLite file's folder cannot be created
            return [Finding("database", FAIL, "db_unreachable", {"error": type(exc).__name__})]
        try:
            found = await doctor.check_database(db, integrity=not quick)
            if all(f.level != FAIL for f in found) and not quick:
                found.append(await doctor.check_evidence(db, evidence_store(config)))
            return found
        finally:
            await db.dispose()

    findings += asyncio.run(database_checks())
    if not quick and token and findings[0].level != FAIL:
        findings += doctor.api_findings(*_bot_api(config.telegram_api_url, token), bool(config.webhook_url))
    messages = _messages()
    for finding in findings:
        typer.echo(f"{ICONS[finding.level]} {messages[finding.reason].format(**finding.details)}")
    failed = [f for f in findings if f.level == FAIL]
    typer.echo(_("{count} problems found.").format(count=len(failed)) if failed else _("Everything looks fine."))
    if failed:
        raise typer.Exit(1)
