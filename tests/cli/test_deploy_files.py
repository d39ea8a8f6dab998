"""The systemd units deploy.md installs: they wait for the network and the real PostgreSQL cluster,
restart after a pause, read the settings file every command reads, and run commands that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import SYSTEM_ENV_FILE

ROOT = Path(__file__).resolve().parents[2]
UNITS = {"polling": ROOT / "deploy" / "dti-bot.service", "webhook": ROOT / "deploy" / "dti-bot-webhook.service"}


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections, each key with all its values (systemd allows a key several times)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if match := re.fullmatch(r"\[(\w+)\]", line):
            current = sections.setdefault(match.group(1), {})
            continue
        key, _, value = line.partition("=")
        assert current is not None and _ == "=", f"{path.name}: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


@pytest.mark.parametrize("kind", UNITS)
def test_each_unit_waits_for_the_network_and_the_postgresql_cluster_and_restarts_after_a_pause(kind):
    sections = unit(UNITS[kind])
    wants, after = sections["Unit"]["Wants"], sections["Unit"]["After"]
    assert "network-online.target" in wants and "network-online.target" in after
    assert "postgresql@15-main.service" in wants and "postgresql@15-main.service" in after
    assert "postgresql.service" not in " ".join(wants + after)  # Debian's umbrella unit waits for nothing
    service = sections["Service"]
    assert service["Restart"] == ["on-failure"] and service["RestartSec"] == ["5"]
    assert service["User"] == ["dti"] and service["KillSignal"] == ["SIGTERM"]
    assert service["EnvironmentFile"] == [str(SYSTEM_ENV_FILE)]
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]


@pytest.mark.parametrize("kind", UNITS)
def test_each_unit_runs_a_dti_bot_command_that_exists(kind):
    (exec_start,) = unit(UNITS[kind])["Service"]["ExecStart"]
    program, *args = shlex.split(exec_start)
    assert program.endswith("/.venv/bin/dti-bot")
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    options = set(re.findall(r"--[a-z-]+", result.output))
    assert {a for a in args if a.startswith("--")} <= options


def test_the_webhook_unit_listens_on_the_loopback_only_and_excludes_the_polling_one():
    sections = unit(UNITS["webhook"])
    args = shlex.split(sections["Service"]["ExecStart"][0])
    assert args[args.index("--host") + 1] == "127.0.0.1" and args[args.index("--port") + 1] == "8080"
    assert sections["Unit"]["Conflicts"] == ["dti-bot.service"]


def test_deploy_md_installs_the_shipped_units_instead_of_an_inline_copy():
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "deploy/dti-bot.service" in text and "deploy/dti-bot-webhook.service" in text
    assert "[Service]" not in text  # one copy of the unit, the file itself
    assert "dti-bot sandbox --emulator-only" in text and "/etc/dti-bot/env" in text
