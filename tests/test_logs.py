"""Logs never carry the bot token, also inside URLs and tracebacks; JSON lines on request."""

import json
import logging

from bot.logs import JsonFormatter, RedactingFilter

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def record(message, *args, exc=None):
    return logging.LogRecord("t", logging.ERROR, __file__, 1, message, args, exc)


def test_the_token_is_replaced_in_messages_arguments_and_urls():
    entry = record("GET https://api.telegram.org/bot%s/getMe failed for %s", TOKEN, "x")
    RedactingFilter([TOKEN]).filter(entry)
    assert TOKEN not in entry.getMessage() and "bot<token>/getMe" in entry.getMessage()


def test_a_token_shaped_secret_is_replaced_even_when_not_configured():
    entry = record("token 123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345 leaked")
    RedactingFilter().filter(entry)
    assert "ABCdef" not in entry.getMessage()


def test_the_token_is_removed_from_tracebacks_and_json_lines_are_valid():
    try:
        raise RuntimeError(f"cannot reach /bot{TOKEN}/sendMessage")
    except RuntimeError as exc:
        entry = record("send failed", exc=(type(exc), exc, exc.__traceback__))
    RedactingFilter([TOKEN]).filter(entry)
    line = JsonFormatter().format(entry)
    assert TOKEN not in line
    parsed = json.loads(line)
    assert parsed["level"] == "ERROR" and "<token>" in parsed["exception"]
