"""Structured JSON logs (structlog) carrying request id, trace id, user id and role.

Every log line, ours or Django's, goes through the same processors, the last of which scrubs it
by the same rules as Sentry events: a secret that reaches a log call never reaches the log file.
A secret with no key nearby (a password in an exception message) is caught too: before the
traceback is formatted, the secrets its frames hold under telling names (``pwd``, ``api_key``,
``payload["password"]``) are harvested, and the scrub step redacts them from the whole line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import sentry_sdk
import structlog

from monitoring.scrubbing import (
    harvest_exc_info,
    harvest_mapping,
    redact_known,
    registered_secrets,
    scrub,
)

# Secrets harvested before formatting, for ``scrub_log``; never rendered.
KNOWN_SECRETS = "_known_secrets"


def add_trace_id(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    span = sentry_sdk.get_current_span()
    if span is not None:
        event_dict.setdefault("trace_id", span.trace_id)
        event_dict.setdefault("span_id", span.span_id)
    return event_dict


def _pii() -> bool:
    from django.conf import settings

    return settings.SENTRY.send_default_pii if settings.configured else False


def harvest_secrets(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Before ``format_exc_info``: the literal secrets held by the traceback's locals and by the
    line's own sensitive fields, for ``scrub_log`` to redact wherever they appear."""
    pii = _pii()
    found = harvest_mapping(event_dict, pii=pii)
    exc_info = event_dict.get("exc_info")
    if exc_info:
        found |= harvest_exc_info(exc_info, pii=pii)
    # And the values the app registered as secret (a teacher's Roblox key echoed by Roblox).
    found |= registered_secrets()
    if found:
        event_dict[KNOWN_SECRETS] = found
    return event_dict


def scrub_log(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    known = event_dict.pop(KNOWN_SECRETS, None)
    if not known:
        return scrub(event_dict, pii=_pii())
    # As for Sentry events: redact known values while whole, scrub, then redact what scrubbing
    # decoded.
    return redact_known(scrub(redact_known(event_dict, known), pii=_pii()), known)


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
    add_trace_id,
]


def _formatter(renderer: Any) -> dict[str, Any]:
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": SHARED_PROCESSORS,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            harvest_secrets,
            structlog.processors.format_exc_info,
            scrub_log,
            renderer,
        ],
    }


def console_is_readable(log_format: str, *, debug: bool) -> bool:
    """``LOG_FORMAT``: ``json``, ``console`` or ``auto`` (console for a developer's terminal:
    DEBUG on and stderr a TTY; JSON for anything a machine reads)."""
    if log_format == "auto":
        return debug and sys.stderr.isatty()
    return log_format == "console"


def logging_config(
    *, level: str, log_file: Path | None, readable_console: bool = False
) -> dict[str, Any]:
    """The ``LOGGING`` setting: each line once on stderr (JSON, or structlog's colourised
    console renderer for a developer) and, when ``log_file`` is set, as JSON to that file."""
    handlers: dict[str, Any] = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "console" if readable_console else "json",
        },
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
        "formatters": {
            "json": _formatter(structlog.processors.JSONRenderer(default=str)),
            "console": _formatter(structlog.dev.ConsoleRenderer()),
        },
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        "loggers": {
            # Django's default config gives "django" its own console handler (and
            # "django.server" its own format): naming them here drops those handlers, so each
            # line is printed once, by the root handlers, in our format.
            "django": {"level": level},
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
