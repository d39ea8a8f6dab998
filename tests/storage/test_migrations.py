"""Migrations build the schema from empty, match the models, and go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.migrate import current_revision, downgrade, head_revision, upgrade


async def test_migrations_from_empty_create_every_table_at_the_head_revision(empty_db):
    await upgrade(empty_db)
    assert await current_revision(empty_db) == head_revision()
    async with empty_db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert set(SQLModel.metadata.tables) <= tables


async def test_the_migrated_schema_matches_the_models(empty_db):
    await upgrade(empty_db)
    async with empty_db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": False}), SQLModel.metadata)
        )
    assert diff == []


async def test_the_schema_goes_down_to_empty_and_up_again(empty_db):
    await upgrade(empty_db)
    await downgrade(empty_db, "base")
    assert await current_revision(empty_db) is None
    await upgrade(empty_db)
    assert await current_revision(empty_db) == head_revision()


async def test_upgrading_twice_changes_nothing(empty_db):
    await upgrade(empty_db)
    await upgrade(empty_db)
    assert await current_revision(empty_db) == head_revision()
