"""Typed configuration parsed from the environment.

Sentry's settings (:class:`SentryConfig`), the environments' defaults and the operator commands'
API settings, read with the strict readers of :mod:`monitoring.env`.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from monitoring.env import (
    FALSE_WORDS,
    TRUE_WORDS,
    ConfigError,
    env_bool,
    env_choice,
    env_http_url,
    env_rate,
    env_slug,
    env_str,
)
from monitoring.release import release_from_env

PRODUCTION = "production"
DEVELOPMENT = "development"

# The only environments that get development defaults (DEBUG on, the public development
# SECRET_KEY, open /metrics and /sentry-debug), compared case-insensitively. Every other value
# (``staging``, ``Production``, ``prod``, a typo) is hardened: a deployment that names itself
# wrongly must fail closed, not open.
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "dev", "local", "test"})

# Sampling defaults by environment, from the spec's table: everything in development
# environments, 10% everywhere else (production, staging, ...).
DEVELOPMENT_DEFAULT_RATE = 1.0
NON_DEVELOPMENT_DEFAULT_RATE = 0.1

# Profiling samples other threads' frames from a thread of its own, which on CPython 3.11 can
# crash the whole process with SIGSEGV (a race on 3.11's lazily created frame objects; seen here
# in the test suite, and reported as getsentry/sentry-python#6119 and #2386). A crashed worker
# loses its in-flight requests and cannot even report itself, so on 3.11 profiling is off unless
# SENTRY_PROFILES_SAMPLE_RATE (or the admin override) turns it on; from 3.12 it follows the
# environment's rate like traces.
PROFILER_SAFE_PYTHON = (3, 12)

# The lowest level of the Python log records sent to Sentry Logs. Each record sent costs about
# 80 µs of the request that logs it (bench/README.md), and INFO lines (a login, a lesson
# generated) are already in the JSON log file: hardened environments ship warnings and errors
# only, development everything from INFO. SENTRY_LOGS_LEVEL overrides either.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEVELOPMENT_LOGS_LEVEL = "INFO"
NON_DEVELOPMENT_LOGS_LEVEL = "WARNING"


def parse_dsn(name: str, raw: str) -> str:
    """Validate a Sentry DSN: ``scheme://public_key@host[:port]/project_id``."""
    if not raw:
        return ""
    invalid = ConfigError(name, raw, "a Sentry DSN like https://<public-key>@<host>/<project-id>")
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises ValueError on a non-numeric port
    except ValueError:
        raise invalid from None
    project = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if (
        parts.scheme not in ("http", "https")
        or not parts.username
        or not parts.hostname
        or not project.isdigit()
        or (port is not None and not 0 < port < 65536)
    ):
        raise invalid
    return raw


@dataclass(frozen=True)
class SentryConfig:
    """Everything that decides how the Sentry SDK runs.

    ``*_source`` fields record where a value came from (``"env"`` or ``"default"``), for the
    operator pages that show the configuration in force.
    """

    dsn: str = ""
    environment: str = DEVELOPMENT
    release: str = "0.0.0"
    server_name: str = field(default_factory=socket.gethostname)
    traces_sample_rate: float = 1.0
    profiles_sample_rate: float = field(default_factory=lambda: default_profiles_rate(DEVELOPMENT))
    send_default_pii: bool = False
    enable_logs: bool = True
    logs_level: str = DEVELOPMENT_LOGS_LEVEL  # one of LOG_LEVELS; see default_logs_level
    debug: bool = False
    # False, True (the SDK's default sidecar URL) or the sidecar's URL: see parse_spotlight.
    spotlight: bool | str = False
    traces_rate_source: str = "default"
    profiles_rate_source: str = "default"
    # Browser monitoring (monitoring.browser): the DSN our pages' SDK is given (empty: ``dsn``);
    # every browser envelope still goes through our tunnel, checked against this DSN.
    browser_dsn: str = ""
    browser_enabled: bool = True

    @property
    def dsn_configured(self) -> bool:
        return bool(self.dsn)

    @property
    def effective_browser_dsn(self) -> str:
        """The DSN the browser SDK uses, or "" when browser monitoring is off (it needs the
        server's SDK: browser envelopes are forwarded with the server's transport)."""
        if not (self.dsn and self.browser_enabled):
            return ""
        return self.browser_dsn or self.dsn

    @property
    def is_hardened(self) -> bool:
        """Whether production safeguards apply (every environment but the development ones)."""
        return is_hardened_environment(self.environment)

    @classmethod
    def for_environment(cls, environment: str, **overrides: object) -> SentryConfig:
        """A config with the environment's default rates; for tests and tools."""
        rate = default_rate(environment)
        values: dict[str, object] = {
            "environment": environment,
            "traces_sample_rate": rate,
            "profiles_sample_rate": default_profiles_rate(environment),
            "logs_level": default_logs_level(environment),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, app_version: str, debug: bool) -> SentryConfig:
        environment = env_str(environ, "SENTRY_ENVIRONMENT", DEVELOPMENT) or DEVELOPMENT
        traces = env_rate(environ, "SENTRY_TRACES_SAMPLE_RATE")
        profiles = env_rate(environ, "SENTRY_PROFILES_SAMPLE_RATE")
        spotlight = parse_spotlight("SENTRY_SPOTLIGHT", environ.get("SENTRY_SPOTLIGHT"))
        if spotlight and is_hardened_environment(environment):
            # Spotlight is a developer's local viewer: a hardened deployment that enables it
            # would post every event (all sampled in DSN-less mode) to a port on its own host.
            raise ConfigError(
                "SENTRY_SPOTLIGHT",
                environ.get("SENTRY_SPOTLIGHT"),
                "false or unset when SENTRY_ENVIRONMENT is not a development one",
            )
        return cls(
            dsn=parse_dsn("SENTRY_DSN", env_str(environ, "SENTRY_DSN")),
            environment=environment,
            release=env_str(environ, "SENTRY_RELEASE") or release_from_env(environ, app_version),
            server_name=env_str(environ, "SENTRY_SERVER_NAME") or socket.gethostname(),
            traces_sample_rate=default_rate(environment) if traces is None else traces,
            profiles_sample_rate=default_profiles_rate(environment)
            if profiles is None
            else profiles,
            send_default_pii=env_bool(environ, "SENTRY_SEND_DEFAULT_PII", False),
            enable_logs=env_bool(environ, "SENTRY_ENABLE_LOGS", True),
            # Empty (as .env.sentry.example leaves it) means the environment's default.
            logs_level=env_choice(environ, "SENTRY_LOGS_LEVEL", "", LOG_LEVELS)
            if env_str(environ, "SENTRY_LOGS_LEVEL")
            else default_logs_level(environment),
            debug=debug,
            traces_rate_source="default" if traces is None else "env",
            profiles_rate_source="default" if profiles is None else "env",
            browser_dsn=parse_dsn("SENTRY_BROWSER_DSN", env_str(environ, "SENTRY_BROWSER_DSN")),
            browser_enabled=env_bool(environ, "SENTRY_BROWSER_ENABLED", True),
            spotlight=spotlight,
        )


def parse_spotlight(name: str, raw: str | None) -> bool | str:
    """``SENTRY_SPOTLIGHT``: a boolean, or the http(s) URL of the sidecar's ``/stream``.

    The SDK itself would take any non-boolean word for a URL; a typo such as ``ture`` must stop
    startup instead of sending events to a host named ``ture``.
    """
    if raw is None or raw.strip() == "":
        return False
    word = raw.strip()
    if word.lower() in TRUE_WORDS:
        return True
    if word.lower() in FALSE_WORDS:
        return False
    try:
        parts = urlsplit(word)
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            name, raw, "a boolean or the sidecar URL, e.g. http://localhost:8969/stream"
        )
    return word


def is_hardened_environment(environment: str) -> bool:
    """False only for the explicit development environments (any letter case)."""
    return environment.strip().lower() not in DEVELOPMENT_ENVIRONMENTS


def secret_key_is_strong(key: str) -> bool:
    """Django's own criteria (``check --deploy``, security.W009): long, varied, not a dev key."""
    from django.core.checks.security.base import (
        SECRET_KEY_INSECURE_PREFIX,
        SECRET_KEY_MIN_LENGTH,
        SECRET_KEY_MIN_UNIQUE_CHARACTERS,
    )

    return (
        len(key) >= SECRET_KEY_MIN_LENGTH
        and len(set(key)) >= SECRET_KEY_MIN_UNIQUE_CHARACTERS
        and not key.startswith(SECRET_KEY_INSECURE_PREFIX)
    )


def default_logs_level(environment: str) -> str:
    if is_hardened_environment(environment):
        return NON_DEVELOPMENT_LOGS_LEVEL
    return DEVELOPMENT_LOGS_LEVEL


def default_rate(environment: str) -> float:
    if is_hardened_environment(environment):
        return NON_DEVELOPMENT_DEFAULT_RATE
    return DEVELOPMENT_DEFAULT_RATE


def profiler_is_safe(python: tuple[int, ...] = sys.version_info[:2]) -> bool:
    """Whether this Python can run the SDK's sampling profiler without risking a crash."""
    return tuple(python[:2]) >= PROFILER_SAFE_PYTHON


def default_profiles_rate(
    environment: str, python: tuple[int, ...] = sys.version_info[:2]
) -> float:
    """The environment's rate, or 0 on a Python where profiling can crash the process."""
    return default_rate(environment) if profiler_is_safe(python) else 0.0


# ---- Sentry's REST API (manage.py sentry_provision / sentry_release) ----

DEFAULT_SENTRY_URL = "https://sentry.io/"


@dataclass(frozen=True)
class SentryApiConfig:
    """What the operator commands need to talk to Sentry's API; read only when one runs, so the
    app starts without them. ``repr`` never shows the token."""

    token: str = field(repr=False)
    org: str
    project: str
    url: str = DEFAULT_SENTRY_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SentryApiConfig:
        token = env_str(environ, "SENTRY_AUTH_TOKEN")
        if not token or any(ch.isspace() or not ch.isprintable() for ch in token):
            # The value is never echoed: it is a credential.
            shown = None if "SENTRY_AUTH_TOKEN" not in environ else "<redacted>"
            raise ConfigError("SENTRY_AUTH_TOKEN", shown, "an auth token (no spaces)")
        return cls(
            token=token,
            org=env_slug(environ, "SENTRY_ORG"),
            project=env_slug(environ, "SENTRY_PROJECT"),
            url=env_http_url(environ, "SENTRY_URL", DEFAULT_SENTRY_URL),
        )
