"""What every command needs: settings, a migrated database, async running, error reporting."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.cli.output import fail
from bot.render.errors import framework_error, service_error
from bot.services.errors import ServiceError
from bot.settings import Settings
from scoring import FrameworkError
from storage.db import Database
from storage.files import EvidenceStore
from storage.migrate import upgrade

T = TypeVar("T")


def settings() -> Settings:
    return Settings()


def run_with_db(work: Callable[[Database, Settings], Awaitable[T]], *, migrate: bool = True) -> T:
    """Run `work` on a migrated database; domain errors become a message and exit code 2."""
    config = settings()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    async def main() -> T:
        db = Database(config.url)
        try:
            if migrate:
                await upgrade(db)
            return await work(db, config)
        finally:
            await db.dispose()

    try:
        return asyncio.run(main())
    except ServiceError as exc:
        fail(service_error(exc))
    except FrameworkError as exc:
        fail(framework_error(exc))


def evidence_store(config: Settings) -> EvidenceStore:
    return EvidenceStore(config.evidence_dir)
