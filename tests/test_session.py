"""The Bot API session keeps aiogram's response models alive instead of rebuilding them."""

from __future__ import annotations

import gc
import json

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.methods.base import Response
from aiogram.types import Message

from bot.session import BotSession


def test_a_response_model_is_built_once_and_survives_garbage_collection():
    session = BotSession()
    bot = Bot("123:abc", session=session)
    reply = {
        "ok": True,
        "result": {"message_id": 5, "date": 0, "chat": {"id": 7, "type": "private"}, "text": "xin chào"},
    }
    first = session.check_response(bot, SendMessage(chat_id=7, text="x"), 200, json.dumps(reply))
    model = type(first)
    gc.collect()
    second = session.check_response(bot, SendMessage(chat_id=7, text="x"), 200, json.dumps(reply))
    assert type(second) is model is Response[Message]
    assert second.result.text == "xin chào"
