"""Which sheet an administrator is about to send (kept in the conversation cursor)."""

from __future__ import annotations

from bot.services.access import Actor, NotAllowed
from storage.db import Database
from storage.models import Conversation


async def expect_upload(db: Database, actor: Actor, kind: str | None) -> None:
    if not any(r.role == "admin" for r in actor.roles):
        raise NotAllowed(role="admin")
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            conversation = Conversation(person_id=actor.person_id, cursor={})
            session.add(conversation)
        conversation.cursor = {"flow": "upload", "kind": kind} if kind else {}


async def expected_upload(db: Database, actor: Actor) -> str | None:
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor or {}) if conversation else {}
        return cursor.get("kind") if cursor.get("flow") == "upload" else None
