"""Strict readers of environment variables.

Each reader returns the typed value or raises :class:`ConfigError`, which names the variable and
the value expected. ``toolbox.settings`` turns that into one line on stderr and a non-zero exit
(:func:`exit_on_config_error`), so a bad deployment stops at startup instead of running with a
silent fallback.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n", "f"})


class ConfigError(ImproperlyConfigured):
    """An environment variable holds a value the application cannot run with."""

    def __init__(self, variable: str, value: str | None, expected: str) -> None:
        self.variable = variable
        self.value = value
        self.expected = expected
        shown = "unset" if value is None else f"{value!r}"
        super().__init__(f"{variable}={shown} is invalid: expected {expected}")


@contextlib.contextmanager
def exit_on_config_error() -> Iterator[None]:
    """Turn a :class:`ConfigError` into one line on stderr and exit status 2, no traceback."""
    try:
        yield
    except ConfigError as exc:
        sys.stderr.write(f"toolbox: configuration error: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(2) from None


def env_str(environ: Mapping[str, str], name: str, default: str = "") -> str:
    return environ.get(name, default).strip()


def env_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(name, raw, "a boolean (true/false, 1/0, yes/no, on/off)")


def env_rate(environ: Mapping[str, str], name: str) -> float | None:
    """A sample rate in 0..1, or None when the variable is unset or empty."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        rate = float(raw)
    except ValueError:
        raise ConfigError(name, raw, "a number between 0 and 1") from None
    if not 0.0 <= rate <= 1.0:  # also rejects nan
        raise ConfigError(name, raw, "a number between 0 and 1")
    return rate


def env_int(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, raw, f"a whole number >= {minimum}") from None
    if value < minimum:
        raise ConfigError(name, raw, f"a whole number >= {minimum}")
    return value


def env_choice(
    environ: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]
) -> str:
    value = env_str(environ, name, default).upper()
    if value not in choices:
        raise ConfigError(name, environ.get(name), f"one of {', '.join(choices)}")
    return value


def env_list(environ: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` requests per ``seconds`` (a fixed window)."""

    count: int
    seconds: int

    def __str__(self) -> str:
        period = next(name for name, seconds in _RATE_PERIODS.items() if seconds == self.seconds)
        return f"{self.count}/{period}"


def env_rate_limit(environ: Mapping[str, str], name: str, default: str) -> RateLimit:
    """A rate like ``30/hour``: a whole number >= 1, a slash, and second, minute, hour or day."""
    raw = environ.get(name)
    text = default if raw is None or raw.strip() == "" else raw.strip()
    match = re.fullmatch(r"([0-9]{1,9})\s*/\s*(second|minute|hour|day)", text, re.IGNORECASE)
    if match is None or int(match[1]) < 1:
        raise ConfigError(name, raw, "a rate like 30/hour (count >= 1 per second|minute|hour|day)")
    return RateLimit(int(match[1]), _RATE_PERIODS[match[2].lower()])


_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def env_slug(environ: Mapping[str, str], name: str) -> str:
    value = env_str(environ, name)
    if not _SLUG.fullmatch(value):
        raise ConfigError(name, environ.get(name), "a Sentry slug (lowercase letters, digits, - _)")
    return value


def env_http_url(environ: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) base URL with a host, returned with one trailing slash."""
    raw = environ.get(name)
    value = default if raw is None or raw.strip() == "" else raw.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise ConfigError(name, raw, "an http(s) URL like https://sentry.io/")
    return value.rstrip("/") + "/"
