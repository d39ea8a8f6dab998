"""Validation that Telegram applies to what a bot sends, so the sandbox fails where Telegram would."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
}
MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA = 4096, 1024, 64


class BadRequest(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.length = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise BadRequest(f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise BadRequest(f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.length += len(data)


def visible_length(text: str, parse_mode: str | None) -> int:
    if parse_mode != "HTML":
        return len(text)
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise BadRequest(
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{checker.stack[-1]}\""
        )
    return checker.length


def check_text(text: str | None, parse_mode: str | None, caption: bool = False) -> None:
    if text is None:
        return
    length = visible_length(text, parse_mode)
    if not caption and length == 0:
        raise BadRequest("Bad Request: message text is empty")
    if length > (MAX_CAPTION if caption else MAX_TEXT):
        raise BadRequest("Bad Request: message caption is too long" if caption else "Bad Request: message is too long")


def parse_markup(raw: Any) -> dict[str, Any] | None:
    if raw in (None, ""):
        return None
    markup = json.loads(raw) if isinstance(raw, str) else raw
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise BadRequest("Bad Request: text buttons are unallowed in the inline keyboard")
    return markup
