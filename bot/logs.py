"""Logging for the composition root: plain or JSON lines, with neither the bot token nor anything a
person wrote.

Tracebacks are where message texts would slip in: a Bot API answer that does not validate raises
aiogram's ClientDecodeError, whose text carries the whole answer (the message sent, its text, the
person's name); pydantic's ValidationError quotes each input_value; SQLAlchemy's errors list the
statement's parameters (an answer, a comment). The exception lines of every traceback, and any
exception passed as a log argument, are written through `safe_exception_text`, which keeps the
type and the reason and drops those values.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# The same values as they appear in texts that were not recognised by type (e.g. wrapped in another
# exception's message): pydantic's `input_value=…, input_type=…`, aiogram's `Content: …` and
# SQLAlchemy's `[parameters: …]`.
_INPUT_VALUE = re.compile(r"input_value=.*?(?=, input_type=|\]$)", re.MULTILINE)
_CONTENT = re.compile(r"^Content: .*", re.MULTILINE | re.DOTALL)
_PARAMETERS = re.compile(r"^\[parameters: .*?\]$", re.MULTILINE)
REDACTED = "<redacted>"


def safe_exception_text(exc: BaseException) -> str:
    """An exception's message without the data it quotes (texts, names, request or answer bodies)."""
    text = _known_exception_text(exc)
    if text is None:
        try:
            text = str(exc)
        except Exception:  # a broken __str__ must not break logging
            text = f"<unprintable {type(exc).__name__}>"
    text = _INPUT_VALUE.sub(f"input_value={REDACTED}", text)
    text = _PARAMETERS.sub(f"[parameters: {REDACTED}]", text)
    return _CONTENT.sub(f"Content: {REDACTED}", text)


def _known_exception_text(exc: BaseException) -> str | None:
    from aiogram.exceptions import ClientDecodeError
    from pydantic import ValidationError
    from sqlalchemy.exc import StatementError

    if isinstance(exc, ClientDecodeError):  # its text ends with the whole answer of the Bot API
        original = exc.original
        return f"{exc.message}\nCaused from error: {type(original).__name__}: {safe_exception_text(original)}"
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        lines = [f"{len(errors)} validation error(s) for {exc.title}"]
        lines += [f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']} [type={e['type']}]" for e in errors]
        return "\n".join(lines)
    if isinstance(exc, StatementError):
        hidden = exc.hide_parameters
        exc.hide_parameters = True
        try:
            return str(exc)
        finally:
            exc.hide_parameters = hidden
    return None


def format_exception_safely(exc: BaseException) -> str:
    """A traceback as Python prints it (the whole chain of causes), each exception's line written
    with `safe_exception_text`. Source lines are code, never data, and are kept."""
    chain: list[tuple[BaseException, str]] = []  # (exception, how it relates to the next one out)
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            link = "\nThe above exception was the direct cause of the following exception:\n\n"
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            link = "\nDuring handling of the above exception, another exception occurred:\n\n"
            current = current.__context__
        else:
            current = None
    parts: list[str] = []
    for position, (item, _link) in enumerate(reversed(chain)):
        if position:
            parts.append(chain[len(chain) - position][1])
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(item.__traceback__))
        kind = type(item)
        name = (
            kind.__qualname__
            if kind.__module__ in ("builtins", "__main__")
            else f"{kind.__module__}.{kind.__qualname__}"
        )
        parts.append(f"{name}: {safe_exception_text(item)}\n")
    return "".join(parts).rstrip("\n")


class RedactingFilter(logging.Filter):
    """Replaces anything shaped like a bot token (also inside URLs such as /bot<TOKEN>/getMe), and
    writes exceptions (in tracebacks and as arguments) without the data they quote."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return _TOKEN.sub("<token>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, BaseException):
            record.msg = safe_exception_text(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {k: _safe_arg(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_safe_arg(a) for a in record.args)
        record.msg = self.redact(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(format_exception_safely(record.exc_info[1]))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def _safe_arg(value: Any) -> Any:
    return safe_exception_text(value) if isinstance(value, BaseException) else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:  # no RedactingFilter in front (tests, tools)
            record.exc_text = format_exception_safely(record.exc_info[1]) if record.exc_info[1] else None
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


# Loggers that speak at INFO about routine, not about what happened: APScheduler writes two lines per
# job run ("Running job…", "…executed successfully"), about two a second with the outbox drained every
# second (~50 MB a day). Their warnings and errors (a missed run, a job that raised) still pass; the
# jobs log for themselves when they did something (bot.scheduler).
# Routine lines nobody reads on a server: the scheduler's every run, each HTTP request, and
# Alembic's plugin set-up at every start (a migration that ran is reported by the bot itself).
ROUTINE_LOGGERS = ("apscheduler", "aiohttp.access", "alembic.runtime.plugins")


def setup_logging(
    level: str = "INFO", as_json: bool = False, secrets: list[str] | None = None, quiet: tuple[str, ...] = ()
) -> None:
    """Every record of the process goes to stderr through one handler: plain lines, or one JSON object
    per line (tracebacks inside it). Python's warnings, and crashes of the main thread and of other
    threads, are logged the same way. `quiet` names more loggers kept to warnings (the sandbox)."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in (*ROUTINE_LOGGERS, *quiet):
        logging.getLogger(name).setLevel(logging.WARNING)
    # APScheduler warns when a run is skipped because the previous one is still going (a busy
    # second for the outbox) or was missed: routine. Our jobs log their own failures (bot.scheduler).
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.captureWarnings(True)  # a DeprecationWarning is a record too, not a raw line on stderr
    sys.excepthook = log_uncaught  # a crash's traceback goes through the same filter, not raw to stderr
    threading.excepthook = _log_thread_crash


def _log_thread_crash(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread else "?"
    logging.getLogger("bot").error(
        "uncaught %s in thread %s",
        args.exc_type.__name__,
        name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def log_uncaught(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    logging.getLogger("bot").critical("uncaught %s: the process stops", kind.__name__, exc_info=(kind, error, tb))
