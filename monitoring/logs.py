"""Structured JSON logs (structlog) carrying request id, trace id, user id and role.

Every log line, ours or Django's, goes through the same processors, the last of which scrubs it
by the same rules as Sentry events: a secret that reaches a log call never reaches the log file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sentry_sdk
import structlog

from monitoring.scrubbing import scrub


def add_trace_id(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    span = sentry_sdk.get_current_span()
    if span is not None:
        event_dict.setdefault("trace_id", span.trace_id)
        event_dict.setdefault("span_id", span.span_id)
    return event_dict


def scrub_log(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    from django.conf import settings

    pii = settings.SENTRY.send_default_pii if settings.configured else False
    return scrub(event_dict, pii=pii)


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
    add_trace_id,
]


def logging_config(*, level: str, log_file: Path | None) -> dict[str, Any]:
    """The ``LOGGING`` setting: JSON to stderr and, when ``log_file`` is set, to that file."""
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": SHARED_PROCESSORS,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            scrub_log,
            structlog.processors.JSONRenderer(default=str),
        ],
    }
    handlers: dict[str, Any] = {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    }
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers["file"] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(log_file),
            "formatter": "json",
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": formatter},
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        "loggers": {
            # runserver's access log stays on the console, as plain JSON like the rest.
            "django.server": {"level": "INFO"},
            "django.db.backends": {"level": "INFO"},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
