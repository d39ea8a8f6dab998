"""A notice's buttons (the outbox's messages) carry a mark that handlers never see: the notice
middleware takes it off and names the notice while the tap is handled, so its screen is sent as a new
message and the notice keeps its text (end to end: tests/e2e/test_notices_stay.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import CallbackQuery, Chat, Message, User

from bot.keyboards import NOTICE_MARK, markup, tapped_notice, unmarked
from bot.middlewares.notices import NoticeTaps
from bot.render.actions import Action, parse
from bot.render.screen import Button, Screen, rows


def test_a_notices_buttons_are_marked_and_read_back_as_the_actions_data():
    action = Action("obl", 3, 7, "", "0").pack()
    screen = Screen(
        "📢 Kết quả tạm thời", rows([Button("✋ Kiến nghị kết quả", action), Button("Web", url="https://x.vn")])
    )
    [[marked, link]] = markup(screen, notice=True)["inline_keyboard"]
    assert marked["callback_data"] == action + NOTICE_MARK and link == {"text": "Web", "url": "https://x.vn"}
    assert parse(marked["callback_data"]) is None  # never read as an action before the mark is off…
    assert unmarked(marked["callback_data"]) == (action, True)  # …and then exactly the action
    assert unmarked(action) == (action, False)
    [[plain, _link]] = markup(screen)["inline_keyboard"]  # an ordinary screen: unmarked
    assert plain["callback_data"] == action


def test_a_button_whose_data_would_pass_telegrams_64_bytes_stays_unmarked():
    full = "x" * 64
    [[button]] = markup(Screen("t", rows([Button("b", full)])), notice=True)["inline_keyboard"]
    assert button["callback_data"] == full


def tap(data: str) -> CallbackQuery:
    user = User(id=5, is_bot=False, first_name="Lan")
    message = Message(message_id=42, date=datetime(2026, 11, 24, tzinfo=UTC), chat=Chat(id=5, type="private"))
    return CallbackQuery(id="q", from_user=user, chat_instance="c", data=data, message=message)


async def test_the_middleware_gives_handlers_the_plain_data_and_names_the_notice_while_they_run():
    seen = []

    async def handler(event, data):
        seen.append((event.data, tapped_notice.get()))

    action = Action("mnu", arg="assess").pack()
    await NoticeTaps()(handler, tap(action + NOTICE_MARK), {})
    await NoticeTaps()(handler, tap(action), {})  # an ordinary message's button: edited as ever
    assert seen == [(action, (5, 42)), (action, None)]
    assert tapped_notice.get() is None  # nothing left behind for the next update
