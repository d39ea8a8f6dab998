"""A bare aiogram echo bot: the yardstick for bench/conversation.py (same emulator, same machine)."""

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dispatcher = Dispatcher()


@dispatcher.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "?")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["DTI_TELEGRAM_API_URL"]))
    bot = Bot(os.environ["DTI_BOT_TOKEN"], session=session)
    await dispatcher.start_polling(bot, polling_timeout=20, handle_signals=True)


asyncio.run(main())
