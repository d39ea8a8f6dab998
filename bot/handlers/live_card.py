"""One live card per person: the self-assessment's card is one message the bot edits.

- A button edits the message it is on; that message becomes the person's card (an older card
  loses its buttons). A button of an old card says what it did (a toast): acted on that card's own
  item, or showed the current card (bot.services.assessment.flow).
- Typed input or a file edits the card in place and gets a short receipt below — unless the card
  has scrolled away (more than CARD_SCROLL messages below it after the receipt): then the card is
  sent again at the bottom, saying what was saved, and the old one loses its buttons.
The card's message id is kept in the person's conversation cursor. Private chats number their
messages one after another (both sides), so the difference of two ids is how far a card scrolled.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import CallbackQuery, Message

from bot.keyboards import acknowledge, send, show, strip_buttons
from bot.render.assessment.cards import item_screen, old_card_text, receipt_text, screen_for
from bot.render.screen import Screen
from bot.services.access import Actor
from bot.services.assessment import flow as assessment
from bot.services.assessment.views import ItemList, ItemView, Paused, Summary
from storage.db import Database

CARD_SCROLL = 4  # messages below the card (the receipt included) that still leave it in view on a phone

Result = ItemView | Summary | ItemList | Paused


async def on_tap(query: CallbackQuery, result: Result, db: Database, actor: Actor, now: datetime) -> None:
    """A button was pressed: edit its message; it is the person's card from now on."""
    toast = old_card_text(result) if isinstance(result, ItemView | Summary) else ""
    await acknowledge(query.bot, query.id, toast)
    if query.message is None:
        return
    chat = query.message.chat.id
    shown = await show(query.bot, chat, screen_for(result), query.message.message_id)
    await _became_card(query.bot, chat, result, shown, db, actor, now)


async def on_input(message: Message, result: Result, db: Database, actor: Actor, now: datetime) -> None:
    """Typed input or a file was taken: edit the card and send a short receipt, or send the card
    again at the bottom when it has scrolled away."""
    bot, chat = message.bot, message.chat.id
    card = result.card if isinstance(result, ItemView | Summary) else None
    receipt = receipt_text(result) if isinstance(result, ItemView | Summary) else ""
    if card is not None and 0 < message.message_id - card < CARD_SCROLL and receipt:
        screen = item_screen(result, notice=False) if isinstance(result, ItemView) else screen_for(result)
        shown = await show(bot, chat, screen, card)
        await send(bot, chat, Screen(receipt))
        if shown != card:  # the card could not be edited (deleted): the new one is the card
            await assessment.remember_card(db, actor, shown, now=now)
        return
    shown = await send(bot, chat, screen_for(result))
    await _became_card(bot, chat, result, shown, db, actor, now)


async def show_card(event: Message | CallbackQuery, result: Result, db: Database, actor: Actor, now: datetime) -> None:
    """A card opened from the menu or a command: a button edits its message, a command sends one."""
    if isinstance(event, CallbackQuery):
        await on_tap(event, result, db, actor, now)
        return
    shown = await send(event.bot, event.chat.id, screen_for(result))
    await _became_card(event.bot, event.chat.id, result, shown, db, actor, now)


async def _became_card(bot, chat: int, result: Result, shown: int, db: Database, actor: Actor, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Message `shown` is the person's card now: the previous card loses its buttons."""
    if not isinstance(result, ItemView | Summary) or shown == result.card:
        return
    if result.card is not None:
        await strip_buttons(bot, chat, result.card)
    await assessment.remember_card(db, actor, shown, now=now)
