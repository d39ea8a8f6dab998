"""Photos and documents sent as evidence for the open item; an album gets one reply."""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass, field

from aiogram import Bot, Router
from aiogram.types import Message

from bot.clock import Clock
from bot.filters import CarriesFile
from bot.handlers.live_card import on_input
from bot.i18n import _
from bot.keyboards import send
from bot.render.errors import service_error
from bot.render.screen import Screen
from bot.services.access import Actor
from bot.services.assessment import evidence
from bot.services.assessment.views import Notice
from bot.services.errors import ServiceError
from bot.services.safe_text import strip_invisible
from storage.db import Database
from storage.files import EvidenceStore

logger = logging.getLogger(__name__)
router = Router(name="evidence")
ALBUM_QUIET_SECONDS = 1.2  # Telegram delivers an album as separate messages in quick succession


@dataclass
class _Album:
    received: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    last_view: object = None
    timer: asyncio.Task[None] | None = None


_albums: dict[tuple[int, str], _Album] = {}


def incoming_of(message: Message) -> evidence.IncomingFile | None:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return evidence.IncomingFile("photo", photo.file_id, photo.file_unique_id, "", "image/jpeg", photo.file_size)
    if message.document:
        doc = message.document
        name = strip_invisible(doc.file_name or "")  # the name is echoed in answers: no bidi tricks there either
        return evidence.IncomingFile(
            "document", doc.file_id, doc.file_unique_id, name, doc.mime_type or "", doc.file_size
        )
    return None


@router.message(CarriesFile())
async def evidence_file(
    message: Message, actor: Actor, db: Database, store: EvidenceStore, bot: Bot, clock: Clock
) -> None:
    """Check, download and keep a file for the open item; albums are answered once when complete."""
    incoming = incoming_of(message)
    album = _albums.setdefault((message.chat.id, message.media_group_id), _Album()) if message.media_group_id else None
    try:
        evidence.check_declared(incoming)
        target = await evidence.evidence_target(db, actor, incoming, now=clock.now())
        if target.duplicate:
            view = None
            notice = Notice("evidence_duplicate", {"name": incoming.file_name or _("photo")})
        else:
            buffer = io.BytesIO()
            await bot.download(incoming.file_id, destination=buffer)
            data, now = buffer.getvalue(), clock.now()
            view = await evidence.add_file(db, store, actor, target, incoming, data, now=now, show=album is None)
            notice = None
    except ServiceError as exc:
        if album is None:
            raise
        album.errors.append(service_error(exc))  # an album is answered once, with every refusal
        _restart_timer(message, album, bot)
        return
    if album is not None:
        album.received += 0 if notice else 1
        album.duplicates += 1 if notice else 0
        _restart_timer(message, album, bot)
        return
    if view is None:
        await message.answer(_("📎 This file is already attached to the item; it was kept once."))
        return
    await on_input(message, view, db, actor, clock.now())


def _restart_timer(message: Message, album: _Album, bot: Bot) -> None:
    if album.timer is not None:
        album.timer.cancel()
    album.timer = asyncio.create_task(_answer_album(message.chat.id, message.media_group_id, bot))


async def _answer_album(chat_id: int, group: str, bot: Bot) -> None:
    await asyncio.sleep(ALBUM_QUIET_SECONDS)
    album = _albums.pop((chat_id, group), None)
    if album is None:
        return
    lines = [_("📎 Album received: {count} files saved for the open item.").format(count=album.received)]
    if album.duplicates:
        lines.append(_("{count} were already attached and kept once.").format(count=album.duplicates))
    lines += album.errors
    lines.append(_("Send more, or press “Next” on the item when done."))
    try:
        await send(bot, chat_id, Screen("\n".join(lines)))
    except Exception:  # the files are saved; only the confirmation failed
        logger.exception("could not confirm an album")
