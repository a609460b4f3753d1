"""structlog JSON lines for every logger in the process, with personal data kept out.

Names, phones, notes, addresses and free-text reasons must never reach a log line. Code should
not pass them in the first place; `redact_personal_data` is the safety net for a key that slips
through, and tracebacks are rendered without local variables for the same reason.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

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


def configure_logging(level: str = "info", stream: Any = None) -> None:
    """Route structlog and the standard library (uvicorn, SQLAlchemy, nats) to JSON on stderr."""
    renderer = structlog.processors.JSONRenderer()
    exceptions = structlog.processors.ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
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
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, exceptions, renderer],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Their own access log would print raw paths and query strings (coordinates of a person);
    # ours logs the route template instead.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("sqlalchemy.engine", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str | None = None, **bound: Any) -> Any:
    """A lazy logger: safe at import time, configured by whoever calls configure_logging."""
    return structlog.stdlib.get_logger(name, **bound)
