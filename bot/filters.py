"""Filters of the router tree, as coroutines.

aiogram runs a synchronous filter (a magic `F…` filter included) in a worker thread: a thread hop
for every filter of every handler an update passes, which cost more than the use case it led to.
These are plain attribute checks, awaited on the loop.
"""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message


class Pressed(Filter):
    """A button whose data is one of `exact` or starts with one of `prefixes`."""

    def __init__(self, *prefixes: str, exact: tuple[str, ...] | set[str] = ()) -> None:
        self.prefixes, self.exact = tuple(prefixes), frozenset(exact)

    async def __call__(self, query: CallbackQuery) -> bool:
        data = query.data or ""
        return data in self.exact or (bool(self.prefixes) and data.startswith(self.prefixes))


class Typed(Filter):
    """A text message; `commands=False` leaves out commands ("/…")."""

    def __init__(self, commands: bool = True) -> None:
        self.commands = commands

    async def __call__(self, message: Message) -> bool:
        return bool(message.text) and (self.commands or not message.text.startswith("/"))


class CarriesFile(Filter):
    """A message carrying a file: a document, or (with `photos`) a photo."""

    def __init__(self, photos: bool = True) -> None:
        self.photos = photos

    async def __call__(self, message: Message) -> bool:
        return message.document is not None or (self.photos and bool(message.photo))


class PrivateChat(Filter):
    async def __call__(self, message: Message) -> bool:
        return message.chat.type == "private"
