"""The Bot API session: aiogram's aiohttp session, with its response models kept alive.

aiogram validates every answer as `Response[<the method's return type>]`. pydantic keeps the
parametrized models it builds only weakly, so whenever the garbage collector had dropped one, the
next call built it again (a few milliseconds of model construction, under load on a fraction of
all calls). Each model is made once here and held for the life of the process.
"""

from __future__ import annotations

from typing import Any

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods.base import Response, TelegramMethod, TelegramType

_responses: dict[Any, Any] = {}


class BotSession(AiohttpSession):
    def check_response(
        self, bot: Any, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _responses:
            _responses[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
