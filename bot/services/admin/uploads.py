"""Which sheet an administrator is about to send (kept in the conversation cursor)."""

from __future__ import annotations

from bot.services.access import Actor
from bot.services.errors import ServiceError
from bot.services.permissions import Action
from storage.db import Database
from storage.models import Conversation

UPLOADS = {"units": Action.IMPORT_UNITS, "invites": Action.INVITE}


async def expect_upload(db: Database, actor: Actor, kind: str, *, done: bool = False) -> None:
    """The next sheet this person sends is of `kind` (`done`: that sheet was imported, none is
    expected any more)."""
    if kind not in UPLOADS:
        raise ServiceError("unknown_item")
    actor.require(UPLOADS[kind])
    async with db.session() as session, session.begin():
        conversation = await session.get(Conversation, actor.person_id, with_for_update=True)
        if conversation is None:
            conversation = Conversation(person_id=actor.person_id, cursor={})
            session.add(conversation)
        conversation.cursor = {} if done else {"flow": "upload", "kind": kind}


async def expected_upload(db: Database, actor: Actor) -> str | None:
    """The kind of sheet this person said they would send, if they still may import it."""
    if not any(actor.may(action) for action in UPLOADS.values()):
        return None
    async with db.read_session() as session:
        conversation = await session.get(Conversation, actor.person_id)
        cursor = (conversation.cursor or {}) if conversation else {}
        kind = cursor.get("kind") if cursor.get("flow") == "upload" else None
        return kind if kind in UPLOADS and actor.may(UPLOADS[kind]) else None
