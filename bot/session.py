"""The Bot API session: aiogram's aiohttp session, lighter on what the bot never reads.

- aiogram validates every answer as `Response[<the method's return type>]`. pydantic keeps the
  parametrized models it builds only weakly, so whenever the garbage collector had dropped one,
  the next call built it again (a few milliseconds of model construction, under load on a fraction
  of all calls). Each model is made once here and held for the life of the process.
- Telegram echoes a message's inline keyboard back: in the answer to every sendMessage and
  editMessageText, and in every pressed button's update. The bot never reads a keyboard it is
  given (a button's own data says everything), and turning ten to twenty buttons into pydantic
  models twice per update was a large share of its time, so those keyboards are dropped from the
  JSON before it is validated.
- Requests go as JSON (which the Bot API accepts for every method that sends no file) rather than
  as a form, whose encoding escaped each Vietnamese letter of a screen one by one; a request with a
  file still goes as multipart. The screens and acknowledgements of bot.keyboards (`Prebuilt`) are
  sent field by field as built, without a model dump and a cleaning pass over their keyboard.
"""

from __future__ import annotations

import json
from typing import Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods.base import Response, TelegramMethod, TelegramType
from aiohttp import ClientError

_responses: dict[Any, Any] = {}


class Prebuilt:
    """A method built whole by the bot (with `model_construct`): plain fields, no aliases."""


class Keyboard(dict[str, Any]):
    """An inline keyboard already in the Bot API's JSON shape, with no empty values to drop."""


_PLAIN = (str, int, float, bool, Keyboard)


def loads_without_keyboards(content: str) -> Any:
    data = json.loads(content)
    result = data.get("result") if isinstance(data, dict) else None
    if isinstance(result, dict):
        result.pop("reply_markup", None)
    elif isinstance(result, list):
        for update in result:
            query = update.get("callback_query") if isinstance(update, dict) else None
            message = query.get("message") if isinstance(query, dict) else None
            if isinstance(message, dict):
                message.pop("reply_markup", None)
    return data


class BotSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("json_loads", loads_without_keyboards)
        super().__init__(**kwargs)

    async def make_request(
        self, bot: Any, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, Any] = {}
        payload = {}
        fields = method.__dict__ if isinstance(method, Prebuilt) else method.model_dump(warnings=False)
        for key, value in fields.items():
            if value is None:
                continue
            prepared = value if isinstance(value, _PLAIN) else self.prepare_value(value, bot, files, _dumps_json=False)
            if prepared is not None:
                payload[key] = prepared
        if files:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=self.json_dumps(payload),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout if timeout is None else timeout,
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result)
        return cast(TelegramType, response.result)

    def check_response(
        self, bot: Any, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _responses:
            _responses[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
