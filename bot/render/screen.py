"""A neutral screen: text (Telegram-style HTML) and rows of buttons. Transports turn it into
their own message; nothing here knows about aiogram."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    text: str
    action: str | None = None  # packed Action (see bot.render.actions)
    url: str | None = None


@dataclass(frozen=True)
class Screen:
    text: str
    rows: tuple[tuple[Button, ...], ...] = ()


def rows(*groups: list[Button] | tuple[Button, ...]) -> tuple[tuple[Button, ...], ...]:
    """Button rows, dropping empty ones."""
    return tuple(tuple(g) for g in groups if g)
