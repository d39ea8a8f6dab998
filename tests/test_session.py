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


class _Recorder:
    """A tiny Bot API over real HTTP: records each request, answers what Telegram would."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []

    async def handle(self, request):
        from aiohttp import web

        body = await request.read()
        method = request.match_info["method"]
        self.requests.append((method, request.content_type, body))
        if method == "editMessageText" and b"same" in body:
            return web.json_response(
                {"ok": False, "error_code": 400, "description": "Bad Request: message is not modified"}, status=400
            )
        keyboard = {"inline_keyboard": [[{"text": "Có", "callback_data": "ans|1|1|1.1|y"}]]}
        message = {
            "message_id": 9,
            "date": 0,
            "chat": {"id": 7, "type": "private"},
            "text": "x",
            "reply_markup": keyboard,
        }
        return web.json_response({"ok": True, "result": True if method == "answerCallbackQuery" else message})


async def _serve(recorder):
    from aiohttp import web

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"


async def test_screens_go_as_json_with_their_keyboard_and_only_the_message_id_is_read_back():
    from aiogram.client.telegram import TelegramAPIServer

    from bot.keyboards import acknowledge, send, show
    from bot.render.screen import Button, Screen

    recorder = _Recorder()
    runner, url = await _serve(recorder)
    bot = Bot("123:abc", session=BotSession(api=TelegramAPIServer.from_base(url)))
    screen = Screen(
        "<b>Câu 1.1</b> Đơn vị có cổng?", ((Button("Có", "ans|1|1|1.1|y"), Button("Xem", url="https://a.vn")),)
    )
    try:
        assert await send(bot, 7, screen) == 9
        await show(bot, 7, screen, message_id=9)
        await show(bot, 7, Screen("same"), message_id=9)  # "not modified" is not an error
        await acknowledge(bot, "q1")
    finally:
        await bot.session.close()
        await runner.cleanup()
    methods = [(m, t) for m, t, _ in recorder.requests]
    assert methods == [
        ("sendMessage", "application/json"),
        ("editMessageText", "application/json"),
        ("editMessageText", "application/json"),
        ("answerCallbackQuery", "application/json"),
    ]
    sent = json.loads(recorder.requests[0][2])
    assert sent == {
        "chat_id": 7,
        "text": "<b>Câu 1.1</b> Đơn vị có cổng?",
        "parse_mode": "HTML",
        "disable_web_page_preview": True,
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "Có", "callback_data": "ans|1|1|1.1|y"}, {"text": "Xem", "url": "https://a.vn"}]
            ]
        },
    }
    assert json.loads(recorder.requests[3][2]) == {"callback_query_id": "q1"}


async def test_a_file_still_goes_as_multipart():
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import BufferedInputFile

    recorder = _Recorder()
    runner, url = await _serve(recorder)
    bot = Bot("123:abc", session=BotSession(api=TelegramAPIServer.from_base(url)))
    try:
        await bot.send_document(7, BufferedInputFile(b"%PDF-1.4", filename="bao-cao.pdf"), caption="Báo cáo")
    finally:
        await bot.session.close()
        await runner.cleanup()
    method, content_type, body = recorder.requests[0]
    assert (method, content_type) == ("sendDocument", "multipart/form-data")
    assert b"bao-cao.pdf" in body and b"%PDF-1.4" in body


def test_keyboards_echoed_back_by_telegram_are_dropped_before_validation():
    from bot.session import loads_without_keyboards

    keyboard = {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}
    message = {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"}, "reply_markup": keyboard}
    batch = {"ok": True, "result": [{"update_id": 1, "callback_query": {"id": "q", "data": "b", "message": message}}]}
    assert "reply_markup" not in loads_without_keyboards(json.dumps(batch))["result"][0]["callback_query"]["message"]
    sent = loads_without_keyboards(json.dumps({"ok": True, "result": message}))
    assert "reply_markup" not in sent["result"] and sent["result"]["message_id"] == 1
