"""structlog lines for every logger in the process, with personal data kept out.

Two renderings of the same events: JSON lines for machines (the default when stderr is not a
terminal) and short human-readable lines in a terminal (structlog's ConsoleRenderer). Choose with
`SHELTERBEDS_LOG_FORMAT=json|console` (or `--log-format`); `auto` picks by the terminal.

Names, phones, notes, addresses and free-text reasons must never reach a log line. Code should
not pass them in the first place; `redact_personal_data` is the safety net for a key that slips
through, and tracebacks are rendered without local variables for the same reason.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any, Literal

import structlog
from structlog.tracebacks import ExceptionDictTransformer

PERSONAL_KEYS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "full_name",
        "person",
        "phone",
        "notes",
        "note",
        "address",
        "email",
        "birth_year",
        "reason",
        "comment",
    }
)
REDACTED = "[redacted]"


def redact_personal_data(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in event_dict.keys() & PERSONAL_KEYS:
        event_dict[key] = REDACTED
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_personal_data,
    ]


LogFormat = Literal["json", "console"]
LOG_FORMATS = ("auto", "json", "console")


def resolve_log_format(asked: str | None = None, stream: Any = None) -> LogFormat:
    """The asked format, else SHELTERBEDS_LOG_FORMAT, else console in a terminal and JSON otherwise."""
    choice = (asked or os.environ.get("SHELTERBEDS_LOG_FORMAT") or "auto").strip().lower()
    if choice not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {choice!r}")
    if choice == "auto":
        isatty = getattr(stream or sys.stderr, "isatty", None)
        return "console" if isatty is not None and isatty() else "json"
    return "json" if choice == "json" else "console"


def _short_time(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A person at a terminal reads the time of day; the date and fractions are for machines."""
    stamp = event_dict.get("timestamp")
    if isinstance(stamp, str) and "T" in stamp:
        event_dict["timestamp"] = stamp.split("T", 1)[1][:8] + "Z"
    return event_dict


def _renderers(fmt: LogFormat, colors: bool) -> list[Any]:
    if fmt == "json":
        exceptions = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
        return [exceptions, structlog.processors.JSONRenderer()]
    # plain_traceback: the rich formatter would print local variables, which may hold personal data.
    return [
        _short_time,
        structlog.dev.ConsoleRenderer(
            colors=colors, exception_formatter=structlog.dev.plain_traceback, pad_event_to=24
        ),
    ]


def configure_logging(level: str = "info", stream: Any = None, fmt: str | None = None) -> None:
    """Route structlog and the standard library (uvicorn, SQLAlchemy, nats) to stderr, as JSON
    or console lines (see `resolve_log_format`)."""
    out = stream or sys.stderr
    chosen = resolve_log_format(fmt, out)
    isatty = getattr(out, "isatty", None)
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_renderers(chosen, colors=chosen == "console" and isatty is not None and isatty()),
        ],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Their own access log would print raw paths and query strings (coordinates of a person);
    # ours logs the route template instead.
    logging.getLogger("uvicorn.access").disabled = True
    # uvicorn's default log config (a server started without ours) gives its loggers their own
    # plain-text handlers and stops them propagating: take them back into this one.
    for name in ("uvicorn", "uvicorn.error"):
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
    for noisy in ("sqlalchemy.engine", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # In a terminal, `up` prints its own progress for these steps; their chatter would bury it.
    chatty = logging.WARNING if chosen == "console" and root.level <= logging.INFO else logging.NOTSET
    for name in ("alembic.runtime.migration", "uvicorn.error"):
        logging.getLogger(name).setLevel(chatty)


def get_logger(name: str | None = None, **bound: Any) -> Any:
    """A lazy logger: safe at import time, configured by whoever calls configure_logging."""
    return structlog.stdlib.get_logger(name, **bound)
