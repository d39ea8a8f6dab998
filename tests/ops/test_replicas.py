"""What several webhook replicas on one PostgreSQL database rely on: migrations one process at a
time, one webhook secret for all, and /health that tells the database's state."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from bot.app import WebhookServer, create_bot, create_dispatcher, database_ready, webhook_secret
from bot.sandbox.server import SANDBOX_TOKEN
from bot.settings import Settings
from storage.db import Database
from storage.files import EvidenceStore
from storage.migrate import current_revision, head_revision, upgrade
from tests.ops.services import free_port, set_connections

pytestmark = pytest.mark.postgres


async def test_four_replicas_starting_together_on_an_empty_postgresql_database_all_migrate(pg_url):
    databases = [Database(pg_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(upgrade(db) for db in databases), return_exceptions=True)
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert {await current_revision(db) for db in databases} == {head_revision()}
    finally:
        for db in databases:
            await db.dispose()


def test_every_replica_derives_the_same_webhook_secret_from_the_token_unless_one_is_configured():
    derived = webhook_secret(SANDBOX_TOKEN)
    assert derived == webhook_secret(SANDBOX_TOKEN) and re.fullmatch(r"[A-Za-z0-9_-]{43}", derived)
    assert webhook_secret("7000000002:another-token-of-enough-length") != derived
    assert SANDBOX_TOKEN.split(":")[1] not in derived
    assert webhook_secret(SANDBOX_TOKEN, "configured_secret-123") == "configured_secret-123"
    with pytest.raises(ValueError, match="webhook_secret_chars"):
        Settings(webhook_secret="has spaces and é")
    with pytest.raises(ValueError, match="webhook_secret_chars"):
        Settings(webhook_secret="short")
    assert Settings(webhook_secret="A-Za-z0-9_" * 3).webhook_secret is not None


async def test_health_says_not_ready_while_the_database_is_down_and_ok_once_it_is_back(pg_url, emulator, tmp_path):
    db = Database(pg_url)
    await upgrade(db)
    bot = create_bot(SANDBOX_TOKEN, emulator.url)
    dispatcher = create_dispatcher(db, EvidenceStore(tmp_path / "evidence"), Settings(data_dir=tmp_path))
    server = WebhookServer(bot, dispatcher, db, webhook_secret(SANDBOX_TOKEN))
    port = free_port()
    await server.start("127.0.0.1", port)
    try:
        async with aiohttp.ClientSession() as http:

            async def health() -> tuple[int, dict]:
                async with http.get(f"http://127.0.0.1:{port}/health") as response:
                    return response.status, await response.json()

            assert await health() == (200, {"status": "ok", "database": "ok"})
            await set_connections(pg_url, allowed=False)
            try:
                assert not await database_ready(db)
                assert await health() == (503, {"status": "not ready", "database": "unreachable"})
            finally:
                await set_connections(pg_url, allowed=True)
            assert await health() == (200, {"status": "ok", "database": "ok"})
    finally:
        await server.drain(timeout=5)
        await db.dispose()
