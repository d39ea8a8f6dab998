"""Logs never carry the bot token, also inside URLs and tracebacks, nor what people wrote; JSON lines
on request."""

import inspect
import io
import json
import logging
import sys
import traceback
from typing import ClassVar

import pytest
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import SendMessage
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from bot.app import create_bot
from bot.logs import JsonFormatter, RedactingFilter, format_exception_safely, setup_logging
from bot.sandbox.server import SANDBOX_TOKEN
from storage.models import Unit

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


# --- Nothing a person wrote reaches a log, not even inside a failed request's traceback ---------------

MARKER = "Bí-mật-7f3a nội dung tin nhắn"


@pytest.fixture(params=["plain", "json"])
def log_output(request):
    """The process's logging exactly as `bot run` sets it up (plain or JSON lines), written to a
    buffer instead of stderr; returns a reader of what was written."""
    root = logging.getLogger()
    saved, hook = (root.handlers[:], root.level), sys.excepthook
    setup_logging("INFO", as_json=request.param == "json", secrets=[SANDBOX_TOKEN])
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)
    try:
        yield buffer.getvalue
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        sys.excepthook = hook


class SendMessageExpectingAFlag(SendMessage):
    """sendMessage whose answer is validated as a bool: the Bot API's answer (the message, with its
    text) then fails to validate, as when Telegram's answer and aiogram's models disagree."""

    __returning__: ClassVar[type] = bool


async def test_a_failed_bot_api_request_is_logged_without_the_message_text(log_output, emulator):
    bot = create_bot(SANDBOX_TOKEN, emulator.url, retry=False)
    text = MARKER  # the raising line of the traceback shows this name, never the value
    try:
        with pytest.raises(ClientDecodeError) as caught:
            await bot(SendMessageExpectingAFlag(chat_id=4242, text=text))
    finally:
        await bot.session.close()
    assert MARKER in str(caught.value)  # aiogram's own text of the error quotes the message
    logging.getLogger("bot.polling").error(
        "update %s failed: %s", 17, type(caught.value).__name__, exc_info=caught.value
    )
    logging.getLogger("aiogram.event").error(  # aiogram's own way (.exception): the exception as an argument
        "Cause exception while process update id=%d by bot id=%d\n%s: %s", 17, 1, "ClientDecodeError", caught.value
    )
    written = log_output()
    assert MARKER not in written and "Bí-mật" not in written
    assert "ClientDecodeError" in written and "Failed to deserialize object" in written  # still useful
    assert "Input should be a valid boolean" in written and SANDBOX_TOKEN not in written


def test_a_validation_error_is_logged_without_its_input_values(log_output):
    with pytest.raises(ValidationError) as caught:
        SendMessage(chat_id=1, text="x", reply_markup=MARKER)
    assert MARKER in str(caught.value)
    logging.getLogger("bot.handlers.errors").error("unhandled error", exc_info=caught.value)
    written = log_output()
    assert MARKER not in written and "reply_markup" in written


async def test_a_failed_database_statement_is_logged_without_its_parameters(log_output, db):
    async with db.session() as session, session.begin():
        session.add(Unit(code="U1", name="Sở Nội vụ"))
    with pytest.raises(IntegrityError) as caught:
        async with db.session() as session, session.begin():
            session.add(Unit(code="U1", name=MARKER))
    assert MARKER in str(caught.value)
    logging.getLogger("bot.polling").error("update %s failed", 18, exc_info=caught.value)
    written = log_output()
    assert MARKER not in written and "IntegrityError" in written and "INSERT INTO unit" in written


def test_a_traceback_without_data_is_written_exactly_as_python_writes_it():
    def inner():
        raise KeyError("code")

    try:
        try:
            inner()
        except KeyError as exc:
            raise RuntimeError("lookup failed") from exc
    except RuntimeError as exc:
        error = exc
    assert format_exception_safely(error) == "".join(traceback.format_exception(error)).rstrip("\n")


def test_a_crash_of_the_process_is_logged_through_the_same_filter(log_output):
    with pytest.raises(ValidationError) as caught:
        SendMessage(chat_id=1, text="x", reply_markup=MARKER)
    sys.excepthook(caught.type, caught.value, caught.tb)  # what Python calls for an uncaught exception
    written = log_output()
    assert MARKER not in written and "uncaught ValidationError" in written


# --- Logs a server can keep: no routine lines, every line JSON when JSON is chosen ------------------


@pytest.fixture(params=["plain", "json"])
def server_log(request):
    """setup_logging as `dti-bot run` calls it, written to a buffer; restores what it changes
    (handlers, levels, the warnings capture and both crash hooks)."""
    import threading

    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    levels = {name: logging.getLogger(name).level for name in ("apscheduler", "aiohttp.access")}
    setup_logging("INFO", as_json=request.param == "json")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)
    try:
        yield request.param, buffer.getvalue
    finally:
        root.handlers[:], root.level, sys.excepthook, threading.excepthook = saved
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        logging.captureWarnings(False)


def lines_of(mode: str, written: str) -> list[str]:
    """The records written: JSON lines (each must parse), or the plain lines that start a record
    (a traceback's lines follow its record's line)."""
    lines = written.strip().splitlines()
    if mode == "json":
        for line in lines:
            json.loads(line)  # every line is one JSON object
        return lines
    return [line for line in lines if line[:4].isdigit() and line[4:5] == "-"]


async def test_the_scheduler_runs_its_jobs_without_a_line_and_a_failing_job_is_logged_with_its_traceback(
    server_log,
):
    import asyncio
    from datetime import UTC, datetime

    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    mode, written = server_log
    runs = []

    async def routine() -> None:
        runs.append(1)

    async def broken() -> None:
        raise LookupError("no such period")

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(routine, "interval", seconds=0.05, next_run_time=datetime.now(UTC))
    scheduler.add_job(broken, "date", run_date=datetime.now(UTC))
    scheduler.start()
    try:
        while len(runs) < 5:
            await asyncio.sleep(0.02)
    finally:
        scheduler.shutdown(wait=False)
    lines = lines_of(mode, written())
    assert not [line for line in lines if "Running job" in line or "executed successfully" in line]
    assert len(lines) == 1 and "raised an exception" in lines[0]
    entry = json.loads(lines[0]) if mode == "json" else None
    traceback_text = entry["exception"] if entry else written()
    assert "Traceback (most recent call last)" in traceback_text and "LookupError: no such period" in traceback_text


class CountingSender:
    def __init__(self, sends: int) -> None:
        self.sends = sends

    async def drain(self) -> int:
        return self.sends


async def test_the_outbox_job_writes_a_line_only_when_it_sent_something(server_log):
    from bot.clock import Clock
    from bot.scheduler import Jobs

    mode, written = server_log
    await Jobs(None, None, CountingSender(0), Clock()).drain_outbox()
    assert written() == ""
    await Jobs(None, None, CountingSender(3), Clock()).drain_outbox()
    (line,) = lines_of(mode, written())
    assert "sent 3 queued messages" in line


def test_warnings_and_a_crash_in_a_thread_are_log_lines_too(server_log):
    import threading
    import warnings

    mode, written = server_log
    warnings.warn("the old setting is ignored", UserWarning, stacklevel=1)
    worker = threading.Thread(target=lambda: 1 / 0, name="exporter")
    worker.start()
    worker.join()
    lines = lines_of(mode, written())
    assert any("the old setting is ignored" in line for line in lines)
    (crash,) = [line for line in lines if "uncaught ZeroDivisionError in thread exporter" in line]
    assert "Traceback (most recent call last)" in written()
    if mode == "json":
        assert "ZeroDivisionError: division by zero" in json.loads(crash)["exception"]


def test_a_command_that_fails_after_json_logging_is_set_up_says_so_in_a_json_line(server_log):
    import typer

    from bot.cli.output import fail

    mode, written = server_log
    with pytest.raises(typer.Exit) as exit_info:
        fail("Mã bot bị từ chối (401).")
    assert exit_info.value.exit_code == 2
    if mode == "json":
        (line,) = lines_of(mode, written())
        assert json.loads(line)["message"] == "Mã bot bị từ chối (401)."
    else:
        assert written() == ""  # plain logs: the line goes to stderr as for every command


async def test_a_job_failing_through_an_outage_is_logged_once_then_once_more_when_it_works_again(caplog):
    from sqlalchemy.exc import OperationalError

    from bot.scheduler import QuietWhileFailing

    database_up = False

    async def drain() -> None:
        if not database_up:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    job = QuietWhileFailing("drain_outbox", drain).run
    assert inspect.iscoroutinefunction(job)  # else APScheduler would call it in a thread and never await it
    with caplog.at_level(logging.DEBUG, logger="bot.scheduler"):
        for _ in range(120):  # two minutes of a job that runs every second
            await job()
        database_up = True
        await job()
        await job()
    lines = [r for r in caplog.records if r.name == "bot.scheduler"]
    assert [r.levelno for r in lines] == [logging.ERROR, logging.WARNING]
    assert lines[0].exc_info is not None and "120 failures" in lines[1].getMessage()
