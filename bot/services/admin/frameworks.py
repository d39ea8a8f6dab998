"""Publish a framework file into the database and turn a stored version back into the model."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor
from bot.services.permissions import Action
from scoring import Framework
from scoring.loader import (
    dump_framework_data,
    find_framework,
    framework_from_data,
    load_framework_text,
    resolve_framework_data,
)
from storage.db import Database
from storage.lean import Lean, statement
from storage.models import FrameworkVersion

_cache: dict[str, Framework] = {}


@dataclass(frozen=True)
class PublishedFramework:
    version_id: int
    framework_id: str
    content_hash: str
    title: str
    created: bool


async def framework_by_hash(session: AsyncSession, version_id: int, content_hash: str) -> Framework:
    """The model of a stored version known by its content hash: its definition is read only the
    first time this process meets that content."""
    framework = _cache.get(content_hash)
    if framework is None:
        version = await session.get(FrameworkVersion, version_id)
        if version is None:
            raise LookupError(f"framework version {version_id} is not stored")
        framework = framework_of(version)
    return framework


def framework_of(version: FrameworkVersion) -> Framework:
    """The scoring model of a stored version (parsed once per content hash)."""
    return _parsed(version.framework_id, version.content_hash, version.definition)


def _parsed(framework_id: str, content_hash: str, definition: str) -> Framework:
    framework = _cache.get(content_hash)
    if framework is None:
        framework = load_framework_text(definition, f"{framework_id}@{content_hash[:12]}")
        _cache[content_hash] = framework
    return framework


_DEFINITION = statement("SELECT framework_id, content_hash, definition FROM framework WHERE id = :id")


async def framework_lean(sql: Lean, version_id: int, content_hash: str) -> Framework:
    """`framework_by_hash` in hand-written SQL: the definition is read only the first time."""
    framework = _cache.get(content_hash)
    if framework is None:
        row = await sql.row(_DEFINITION, {"id": version_id})
        if row is None:
            raise LookupError(f"framework version {version_id} is not stored")
        framework = _parsed(*row)
    return framework


async def publish_in(session: AsyncSession, ref: str, dirs: list[Path] | None = None) -> PublishedFramework:
    """Store a framework's resolved definition unless that exact content is already stored."""
    path = find_framework(ref, dirs)
    data = resolve_framework_data(path.read_text(encoding="utf-8"), str(path), dirs)
    return await publish_data_in(session, data, str(path))


async def publish_data_in(session: AsyncSession, data: Mapping[str, Any], source: str) -> PublishedFramework:
    """Store a framework's resolved data (from a YAML file or a workbook) unless already stored."""
    framework = framework_from_data(data, source)  # validates; raises FrameworkError
    definition = dump_framework_data(data)
    content_hash = hashlib.sha256(definition.encode("utf-8")).hexdigest()
    existing = (
        await session.execute(
            select(FrameworkVersion).where(
                FrameworkVersion.framework_id == framework.id, FrameworkVersion.content_hash == content_hash
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return PublishedFramework(existing.id, framework.id, content_hash, existing.title, created=False)
    version = FrameworkVersion(
        framework_id=framework.id,
        content_hash=content_hash,
        title=framework.title,
        total_points=framework.total_points,
        definition=definition,
    )
    session.add(version)
    await session.flush()
    return PublishedFramework(version.id, framework.id, content_hash, framework.title, created=True)


async def publish_framework(db: Database, actor: Actor, ref: str, dirs: list[Path] | None = None) -> PublishedFramework:
    """The operator publishes a framework file; the same content published twice is stored once."""
    actor.require(Action.PUBLISH_FRAMEWORK)
    async with db.session() as session, session.begin():
        return await publish_in(session, ref, dirs)
